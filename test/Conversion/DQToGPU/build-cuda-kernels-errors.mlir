// RUN: dq-opt %s --dq-build-cuda-kernels --split-input-file --verify-diagnostics
// RUN: not dq-opt %s --dq-build-cuda-kernels=chip=sm_70 2>&1 | FileCheck %s --check-prefix=CHIP

// CHIP: --dq-build-cuda-kernels: unsupported chip 'sm_70'; the kernels need mma.sync with bf16 (sm_80 or newer): expected sm_80, sm_86, sm_87, sm_89, sm_90 or sm_90a

// The host function is generated after bufferization.
func.func @tensors(%x: tensor<1x16xf16>, %q: tensor<2x16xi8>, %s: tensor<2x1xf16>, %z: tensor<2x1xf16>, %y: tensor<1x2xf16>) -> tensor<1x2xf16> {
  // expected-error @+1 {{'dq.kernel' op must be bufferized before it becomes a call}}
  %r = dq.kernel @h #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = true>
      ins(%x, %q, %s, %z : tensor<1x16xf16>, tensor<2x16xi8>, tensor<2x1xf16>, tensor<2x1xf16>)
      outs(%y : tensor<1x2xf16>) -> tensor<1x2xf16>
  return %r : tensor<1x2xf16>
}

// -----

func.func private @h()

func.func @defined(%x: memref<1x16xf16>, %q: memref<2x16xi8>, %s: memref<2x1xf16>, %z: memref<2x1xf16>, %y: memref<1x2xf16>) {
  // expected-error @+1 {{'dq.kernel' op calls @h, which the module already defines; host functions are generated}}
  dq.kernel @h #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = true>
      ins(%x, %q, %s, %z : memref<1x16xf16>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>)
      outs(%y : memref<1x2xf16>)
  return
}

// -----

// A cached host function keeps one weight: it cannot serve two configs.
func.func @two_configs(%x: memref<1x16xf16>, %q: memref<2x16xi8>, %s: memref<2x1xf16>, %z: memref<2x1xf16>, %y: memref<1x2xf16>) {
  dq.kernel @h #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = true>
      ins(%x, %q, %s, %z : memref<1x16xf16>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>)
      outs(%y : memref<1x2xf16>)
  // expected-error @+1 {{'dq.kernel' op calls @h with another configuration or activation type than an earlier dq.kernel}}
  dq.kernel @h #dq_gpu.matmul<weight = !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = false>
      ins(%x, %q, %s, %z : memref<1x16xf16>, memref<2x16xi8>, memref<2x1xf16>, memref<2x1xf16>)
      outs(%y : memref<1x2xf16>)
  return
}
