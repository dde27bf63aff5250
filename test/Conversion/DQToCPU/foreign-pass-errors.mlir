// RUN: dq-opt %s --test-dq-to-cpu-in-foreign-pass=m-block=3 --verify-diagnostics

// Another stack hands dq's CPU patterns an option the kernels do not have:
// the pattern checks the config it builds (--dq-lower-matmul-cpu checks its
// own options before) and fails; the portable pattern, also in the stack's
// set, must not take an n16k4 weight's parts for Q, s and z either, so the
// stack's conversion fails on the matmul.
func.func private @apply(%x: tensor<3x64xf32>, %w: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) -> tensor<3x20xf32> {
  // expected-error @+2 {{'dq.matmul' op m_block must be 1, 2, 4 or 8, got 3}}
  // expected-error @+1 {{failed to legalize operation 'dq.matmul'}}
  %y = dq.matmul %x, %w : tensor<3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<3x20xf32>
  return %y : tensor<3x20xf32>
}
