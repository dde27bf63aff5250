// RUN: dq-opt %s --split-input-file --verify-diagnostics --allow-unregistered-dialect

// Every invariant of #dq_gpu.matmul, the CUDA kernels' configuration.

// expected-error @+1 {{the CUDA kernels read gpu_chunked weights, got one in the row_major layout}}
"test.use"() {config = #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = true>} : () -> ()

// -----

// expected-error @+1 {{m_block must be 1 to 8, got 9}}
"test.use"() {config = #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 9, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = true>} : () -> ()

// -----

// expected-error @+1 {{rows_per_warp must be 1 to 8, got 0}}
"test.use"() {config = #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 0, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = true>} : () -> ()

// -----

// expected-error @+1 {{warps must be 1 to 32, got 33}}
"test.use"() {config = #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 33, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = true>} : () -> ()

// -----

// expected-error @+1 {{tile_m must be 32, 64 or 128, got 48}}
"test.use"() {config = #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 48, tile_n = 64, poison = true, repeat = 1, cache_weight = true>} : () -> ()

// -----

// expected-error @+1 {{tile_n must be 16, 32, 64 or 128, got 24}}
"test.use"() {config = #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 24, poison = true, repeat = 1, cache_weight = true>} : () -> ()

// -----

// expected-error @+1 {{repeat must be at least 1}}
"test.use"() {config = #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 0, cache_weight = true>} : () -> ()

// -----

// expected-error @+2 {{expected ::mlir::dq_gpu::CUDARoute to be one of: gemv, gemm}}
// expected-error @+1 {{failed to parse DQGPU_MatmulConfigAttr parameter 'route'}}
"test.use"() {config = #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = simt, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = true>} : () -> ()

// -----

// expected-error @+2 {{expected 'true' or 'false'}}
// expected-error @+1 {{failed to parse DQGPU_MatmulConfigAttr parameter 'cache_weight'}}
"test.use"() {config = #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = yes>} : () -> ()

// -----

// The kernel's operands: the gemm route needs half-precision activations,
// and the output is [M, N].
func.func @gemm_f32(%x: memref<4x16xf32>, %q: memref<2x16xi8>, %s: memref<2x1xf16>, %z: memref<2x1xf16>, %y: memref<4x2xf32>) {
  // expected-error @+1 {{'dq.kernel' op the gemm route needs f16 or bf16 activations}}
  dq.kernel @h #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemm, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = true>
      ins(%x, %q, %s, %z : memref<4x16xf32>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>)
      outs(%y : memref<4x2xf32>)
  return
}

// -----

func.func @padded_output(%x: memref<4x16xf16>, %q: memref<2x16xi8>, %s: memref<2x1xf16>, %z: memref<2x1xf16>, %y: memref<4x16xf16>) {
  // expected-error @+1 {{'dq.kernel' op output must be 4x2xf16, got 'memref<4x16xf16>'}}
  dq.kernel @h #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = true>
      ins(%x, %q, %s, %z : memref<4x16xf16>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>)
      outs(%y : memref<4x16xf16>)
  return
}
