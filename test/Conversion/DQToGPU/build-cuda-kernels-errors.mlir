// RUN: dq-opt %s --dq-build-cuda-kernels --split-input-file --verify-diagnostics
// RUN: not dq-opt %s --dq-build-cuda-kernels=chip=sm_70 2>&1 | FileCheck %s --check-prefix=CHIP

// CHIP: --dq-build-cuda-kernels: unsupported chip 'sm_70'; the kernels need mma.sync with bf16 (sm_80 or newer): expected sm_80, sm_86, sm_87, sm_89, sm_90 or sm_90a

// expected-error @+1 {{'func.func' op has a malformed dq.cuda_matmul attribute: needs weight, activation, route, m_block, rows_per_warp, warps, tile_m, tile_n, poison and repeat}}
func.func private @missing(memref<?x16xf16, strided<[?, 1], offset: ?>>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>, memref<?x2xf16>) attributes {dq.cuda_matmul = {route = "gemv"}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cuda_matmul attribute: weight must be a gpu_chunked !dq.weight}}
func.func private @layout(memref<?x16xf16, strided<[?, 1], offset: ?>>, memref<2x4xi8>, memref<2x1xf16>, memref<2x1xf16>, memref<?x2xf16>) attributes {dq.cuda_matmul = {activation = f16, m_block = 1 : i64, poison = true, repeat = 1 : i64, route = "gemv", rows_per_warp = 2 : i64, tile_m = 64 : i64, tile_n = 64 : i64, warps = 4 : i64, weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16>}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cuda_matmul attribute: the gemm route needs f16 or bf16 activations}}
func.func private @gemm_f32(memref<?x16xf32, strided<[?, 1], offset: ?>>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>, memref<?x2xf32>) attributes {dq.cuda_matmul = {activation = f32, m_block = 1 : i64, poison = true, repeat = 1 : i64, route = "gemm", rows_per_warp = 2 : i64, tile_m = 64 : i64, tile_n = 64 : i64, warps = 4 : i64, weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cuda_matmul attribute: the function type does not match the recorded matmul}}
func.func private @type(memref<?x16xf16, strided<[?, 1], offset: ?>>, memref<2x4xi8>, memref<2x1xf16>, memref<2x1xf16>, memref<?x2xf16>) attributes {dq.cuda_matmul = {activation = f16, m_block = 1 : i64, poison = true, repeat = 1 : i64, route = "gemv", rows_per_warp = 2 : i64, tile_m = 64 : i64, tile_n = 64 : i64, warps = 4 : i64, weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>}}

// -----

// expected-error @+1 {{'func.func' op is marked dq.cuda_matmul but already has a body}}
func.func private @body(%x: memref<?x16xf16, strided<[?, 1], offset: ?>>, %p: memref<2x16xi8>, %s: memref<2x1xf16>, %z: memref<2x1xf16>, %y: memref<?x2xf16>) attributes {dq.cuda_matmul = {}} {
  return
}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cuda_matmul attribute: expected a dictionary}}
func.func private @not_dict(memref<?x16xf16, strided<[?, 1], offset: ?>>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>, memref<?x2xf16>) attributes {dq.cuda_matmul = "gemv"}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cuda_matmul attribute: activation must be f32, f16 or bf16}}
func.func private @activation(memref<?x16xf16, strided<[?, 1], offset: ?>>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>, memref<?x2xf16>) attributes {dq.cuda_matmul = {activation = i8, m_block = 1 : i64, poison = true, repeat = 1 : i64, route = "gemv", rows_per_warp = 2 : i64, tile_m = 64 : i64, tile_n = 64 : i64, warps = 4 : i64, weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cuda_matmul attribute: route must be gemv or gemm}}
func.func private @route(memref<?x16xf16, strided<[?, 1], offset: ?>>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>, memref<?x2xf16>) attributes {dq.cuda_matmul = {activation = f16, m_block = 1 : i64, poison = true, repeat = 1 : i64, route = "simt", rows_per_warp = 2 : i64, tile_m = 64 : i64, tile_n = 64 : i64, warps = 4 : i64, weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cuda_matmul attribute: m_block must be 1 to 8}}
func.func private @m_block(memref<?x16xf16, strided<[?, 1], offset: ?>>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>, memref<?x2xf16>) attributes {dq.cuda_matmul = {activation = f16, m_block = 9 : i64, poison = true, repeat = 1 : i64, route = "gemv", rows_per_warp = 2 : i64, tile_m = 64 : i64, tile_n = 64 : i64, warps = 4 : i64, weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cuda_matmul attribute: rows_per_warp must be 1 to 8 and warps 1 to 32}}
func.func private @warps(memref<?x16xf16, strided<[?, 1], offset: ?>>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>, memref<?x2xf16>) attributes {dq.cuda_matmul = {activation = f16, m_block = 1 : i64, poison = true, repeat = 1 : i64, route = "gemv", rows_per_warp = 2 : i64, tile_m = 64 : i64, tile_n = 64 : i64, warps = 0 : i64, weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cuda_matmul attribute: tile_m must be 32, 64 or 128 and tile_n 16, 32, 64 or 128}}
func.func private @tile(memref<?x16xf16, strided<[?, 1], offset: ?>>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>, memref<?x2xf16>) attributes {dq.cuda_matmul = {activation = f16, m_block = 1 : i64, poison = true, repeat = 1 : i64, route = "gemv", rows_per_warp = 2 : i64, tile_m = 64 : i64, tile_n = 24 : i64, warps = 4 : i64, weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cuda_matmul attribute: repeat must be at least 1}}
func.func private @repeat(memref<?x16xf16, strided<[?, 1], offset: ?>>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>, memref<?x2xf16>) attributes {dq.cuda_matmul = {activation = f16, m_block = 1 : i64, poison = true, repeat = 0 : i64, route = "gemv", rows_per_warp = 2 : i64, tile_m = 64 : i64, tile_n = 64 : i64, warps = 4 : i64, weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>}}
