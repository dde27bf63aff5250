// RUN: dq-opt %s --split-input-file --verify-diagnostics --allow-unregistered-dialect

// Every invariant of #dq_cpu.matmul, the CPU kernels' configuration.

// expected-error @+1 {{the CPU kernels read n16k4 weights, got one in the row_major layout}}
"test.use"() {config = #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16>, target = avx512, int8 = false, m_block = 8, parallel = true>} : () -> ()

// -----

// expected-error @+1 {{m_block must be 1, 2, 4 or 8, got 3}}
"test.use"() {config = #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 3, parallel = true>} : () -> ()

// -----

// 66336 padded columns times 255 * 127 exceed 2^31.
// expected-error @+1 {{the int8 route sums a group in i32; a group of 66336 columns may overflow it}}
"test.use"() {config = #dq_cpu.matmul<weight = !dq.weight<[16, 66336], bits = 2, group = 66336, scale = f32, layout = #dq_cpu.n16k4>, target = generic, int8 = true, m_block = 8, parallel = true>} : () -> ()

// -----

// `host` is an option value, resolved before a config is made.
// expected-error @+2 {{expected ::mlir::dq_cpu::CPUTarget to be one of: avx512, avx2, generic}}
// expected-error @+1 {{failed to parse DQCPU_MatmulConfigAttr parameter 'target'}}
"test.use"() {config = #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = host, int8 = false, m_block = 8, parallel = true>} : () -> ()

// -----

// expected-error @+2 {{expected 'true' or 'false'}}
// expected-error @+1 {{failed to parse DQCPU_MatmulConfigAttr parameter 'int8'}}
"test.use"() {config = #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = 1, m_block = 8, parallel = true>} : () -> ()

// -----

// expected-error @+2 {{expected a !dq.weight type, got 'tensor<20x64xf32>'}}
// expected-error @+1 {{failed to parse DQCPU_MatmulConfigAttr parameter 'weight'}}
"test.use"() {config = #dq_cpu.matmul<weight = tensor<20x64xf32>, target = avx512, int8 = false, m_block = 8, parallel = true>} : () -> ()

// -----

// expected-error @+1 {{expected ','}}
"test.use"() {config = #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8>} : () -> ()

// -----

// The kernel's operands: activations [M, K], the stored parts of the
// weight, and an output padded to whole tiles of 16 rows.
func.func @output_not_padded(%x: tensor<6x64xf32>, %q: tensor<2x256xi8>, %s: tensor<2x2x16xf16>, %z: tensor<2x2x16xf16>, %y: tensor<6x20xf32>) -> tensor<6x20xf32> {
  // expected-error @+1 {{'dq.kernel' op output must be 6x32xf32, got 'tensor<6x20xf32>'}}
  %r = dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : tensor<6x64xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>)
      outs(%y : tensor<6x20xf32>) -> tensor<6x20xf32>
  return %r : tensor<6x20xf32>
}

// -----

func.func @row_major_parts(%x: tensor<6x64xf32>, %q: tensor<20x16xi8>, %s: tensor<20x2xf16>, %z: tensor<20x2xf16>, %y: tensor<6x32xf32>) -> tensor<6x32xf32> {
  // expected-error @+1 {{'dq.kernel' op packed must be 2x256xi8, got 'tensor<20x16xi8>'}}
  %r = dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : tensor<6x64xf32>, tensor<20x16xi8>, tensor<20x2xf16>, tensor<20x2xf16>)
      outs(%y : tensor<6x32xf32>) -> tensor<6x32xf32>
  return %r : tensor<6x32xf32>
}
