// RUN: dq-opt %s --split-input-file --verify-diagnostics

// The invariants of dq.kernel that hold for any config (the configs' own
// are tested beside their backends, test/Conversion/DQTo*/).

func.func @mixed(%x: tensor<6x64xf32>, %q: memref<2x256xi8>, %s: tensor<2x2x16xf16>, %z: tensor<2x2x16xf16>, %y: tensor<6x32xf32>) -> tensor<6x32xf32> {
  // expected-error @+1 {{'dq.kernel' op operands must be all ranked tensors (before bufferization) or all memrefs (after)}}
  %r = dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : tensor<6x64xf32>, memref<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>)
      outs(%y : tensor<6x32xf32>) -> tensor<6x32xf32>
  return %r : tensor<6x32xf32>
}

// -----

func.func @no_result(%x: tensor<6x64xf32>, %q: tensor<2x256xi8>, %s: tensor<2x2x16xf16>, %z: tensor<2x2x16xf16>, %y: tensor<6x32xf32>) {
  // expected-error @+1 {{'dq.kernel' op expected the number of tensor results (0) to be equal to the number of output tensors (1)}}
  dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : tensor<6x64xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>)
      outs(%y : tensor<6x32xf32>)
  return
}

// -----

// A matmul kernel's operands (verifyMatmulKernelOperands).
func.func @arity(%x: tensor<6x64xf32>, %q: tensor<2x256xi8>, %s: tensor<2x2x16xf16>, %y: tensor<6x32xf32>) -> tensor<6x32xf32> {
  // expected-error @+1 {{'dq.kernel' op a matmul kernel takes 4 inputs (activations, packed, scale, offset) and 1 output, got 3 and 1}}
  %r = dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s : tensor<6x64xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>)
      outs(%y : tensor<6x32xf32>) -> tensor<6x32xf32>
  return %r : tensor<6x32xf32>
}

// -----

func.func @f64(%x: memref<6x64xf64>, %q: memref<2x256xi8>, %s: memref<2x2x16xf16>, %z: memref<2x2x16xf16>, %y: memref<6x32xf64>) {
  // expected-error @+1 {{'dq.kernel' op activation element type must be f32, f16 or bf16, got 'f64'}}
  dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<6x64xf64>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%y : memref<6x32xf64>)
  return
}

// -----

func.func @k_mismatch(%x: memref<6x32xf32>, %q: memref<2x256xi8>, %s: memref<2x2x16xf16>, %z: memref<2x2x16xf16>, %y: memref<6x32xf32>) {
  // expected-error @+1 {{'dq.kernel' op activations must be 6x64xf32, got 'memref<6x32xf32>'}}
  dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<6x32xf32>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%y : memref<6x32xf32>)
  return
}

// -----

func.func @scale_type(%x: memref<6x64xf32>, %q: memref<2x256xi8>, %s: memref<2x2x16xf32>, %z: memref<2x2x16xf16>, %y: memref<6x32xf32>) {
  // expected-error @+1 {{'dq.kernel' op scale must be 2x2x16xf16, got 'memref<2x2x16xf32>'}}
  dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<6x64xf32>, memref<2x256xi8>, memref<2x2x16xf32>, memref<2x2x16xf16>)
      outs(%y : memref<6x32xf32>)
  return
}

// -----

func.func @offset_shape(%x: memref<6x64xf32>, %q: memref<2x256xi8>, %s: memref<2x2x16xf16>, %z: memref<2x1x16xf16>, %y: memref<6x32xf32>) {
  // expected-error @+1 {{'dq.kernel' op offset must be 2x2x16xf16, got 'memref<2x1x16xf16>'}}
  dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<6x64xf32>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x1x16xf16>)
      outs(%y : memref<6x32xf32>)
  return
}

// -----

func.func @rows(%x: memref<6x64xf32>, %q: memref<2x256xi8>, %s: memref<2x2x16xf16>, %z: memref<2x2x16xf16>, %y: memref<5x32xf32>) {
  // expected-error @+1 {{'dq.kernel' op output must be 6x32xf32, got 'memref<5x32xf32>'}}
  dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<6x64xf32>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%y : memref<5x32xf32>)
  return
}

// -----

func.func @not_a_config(%x: memref<6x64xf32>, %y: memref<6x32xf32>) {
  // expected-error @+1 {{invalid kind of attribute specified}}
  dq.kernel @k #dq.row_major ins(%x : memref<6x64xf32>) outs(%y : memref<6x32xf32>)
  return
}
