// RUN: dq-opt %s | dq-opt | FileCheck %s
// RUN: dq-opt %s --mlir-print-op-generic | dq-opt | FileCheck %s

// dq.kernel round-trips on tensors (with a result per output) and on
// memrefs (without results); its config prints in full.

// CHECK-LABEL: func.func @tensors
// CHECK: %[[R:.*]] = dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true> ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x64xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>) outs(%{{.*}} : tensor<?x32xf32>) -> tensor<?x32xf32>
// CHECK: return %[[R]]
func.func @tensors(%x: tensor<?x64xf32>, %q: tensor<2x256xi8>, %s: tensor<2x2x16xf16>, %z: tensor<2x2x16xf16>, %y: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %r = dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : tensor<?x64xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>)
      outs(%y : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %r : tensor<?x32xf32>
}

// CHECK-LABEL: func.func @memrefs
// CHECK: dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = true, m_block = 1, parallel = false> ins({{.*}} : memref<1x64xf32, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>) outs(%{{.*}} : memref<1x32xf32>){{$}}
func.func @memrefs(%x: memref<1x64xf32, strided<[?, 1], offset: ?>>, %q: memref<2x256xi8>, %s: memref<2x2x16xf16>, %z: memref<2x2x16xf16>, %y: memref<1x32xf32>) {
  dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = true, m_block = 1, parallel = false>
      ins(%x, %q, %s, %z : memref<1x64xf32, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%y : memref<1x32xf32>)
  return
}

// CHECK-LABEL: func.func @gpu_config
// CHECK: dq.kernel @h #dq_gpu.matmul<weight = !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = false> ins({{.*}} : memref<1x64xf16, strided<[?, 1], offset: ?>>, memref<3x32xi8>, memref<3x2xf16>, memref<3x2xf16>) outs(%{{.*}} : memref<1x3xf16>){{$}}
func.func @gpu_config(%x: memref<1x64xf16, strided<[?, 1], offset: ?>>, %q: memref<3x32xi8>, %s: memref<3x2xf16>, %z: memref<3x2xf16>, %y: memref<1x3xf16>) {
  dq.kernel @h #dq_gpu.matmul<weight = !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = false>
      ins(%x, %q, %s, %z : memref<1x64xf16, strided<[?, 1], offset: ?>>, memref<3x32xi8>, memref<3x2xf16>, memref<3x2xf16>)
      outs(%y : memref<1x3xf16>)
  return
}
