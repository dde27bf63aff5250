// RUN: dq-opt %s --dq-build-cpu-kernels --split-input-file --verify-diagnostics

// The kernel is generated after bufferization.
func.func @tensors(%x: tensor<6x64xf32>, %q: tensor<2x256xi8>, %s: tensor<2x2x16xf16>, %z: tensor<2x2x16xf16>, %y: tensor<6x32xf32>) -> tensor<6x32xf32> {
  // expected-error @+1 {{'dq.kernel' op must be bufferized before it becomes a call}}
  %r = dq.kernel @kernel #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : tensor<6x64xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>)
      outs(%y : tensor<6x32xf32>) -> tensor<6x32xf32>
  return %r : tensor<6x32xf32>
}

// -----

func.func private @kernel()

func.func @defined(%x: memref<6x64xf32>, %q: memref<2x256xi8>, %s: memref<2x2x16xf16>, %z: memref<2x2x16xf16>, %y: memref<6x32xf32>) {
  // expected-error @+1 {{'dq.kernel' op calls @kernel, which the module already defines; kernel functions are generated}}
  dq.kernel @kernel #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<6x64xf32>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%y : memref<6x32xf32>)
  return
}

// -----

func.func @two_configs(%x: memref<6x64xf32>, %q: memref<2x256xi8>, %s: memref<2x2x16xf16>, %z: memref<2x2x16xf16>, %y: memref<6x32xf32>) {
  dq.kernel @kernel #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<6x64xf32>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%y : memref<6x32xf32>)
  // expected-error @+1 {{'dq.kernel' op calls @kernel with another configuration or activation type than an earlier dq.kernel}}
  dq.kernel @kernel #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = false, m_block = 4, parallel = true>
      ins(%x, %q, %s, %z : memref<6x64xf32>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%y : memref<6x32xf32>)
  return
}

// -----

// A buffer in another memory space cannot be passed, nor copied into one
// the kernel takes.
func.func @memory_space(%x: memref<6x64xf32, 1>, %q: memref<2x256xi8>, %s: memref<2x2x16xf16>, %z: memref<2x2x16xf16>, %y: memref<6x32xf32>) {
  // expected-error @+1 {{'dq.kernel' op cannot pass operand #0 of type 'memref<6x64xf32, 1>' as 'memref<?x64xf32, strided<[?, 1], offset: ?>>' to @kernel}}
  dq.kernel @kernel #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<6x64xf32, 1>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%y : memref<6x32xf32>)
  return
}
