// RUN: dq-opt %s --dq-lower-matmul-cpu="target=generic activations=int8" --split-input-file --verify-diagnostics

// An n16k4 weight may only reach dq.matmul (and cross function and region
// boundaries): nothing else reads the CPU layout.
func.func @dequantized(%w: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) -> tensor<20x64xf32> {
  // expected-error @+1 {{'dq.dequantize' op uses an n16k4 weight in a way --dq-lower-matmul-cpu cannot lower; such weights may only reach dq.matmul, function arguments and results, func.call, scf control flow and cf branches}}
  %f = dq.dequantize %w : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<20x64xf32>
  return %f : tensor<20x64xf32>
}

// -----

// The int8 route sums a group in i32: a group this long takes the f32 route.
func.func @long_group(%x: tensor<1x66336xf32>, %w: !dq.weight<[16, 66336], bits = 2, group = 66336, scale = f32, layout = #dq_cpu.n16k4>) -> tensor<1x16xf32> {
  // expected-remark @+1 {{group of 66336 columns is too long for i32 sums of int8 products; using the f32 route}}
  %y = dq.matmul %x, %w : tensor<1x66336xf32>, !dq.weight<[16, 66336], bits = 2, group = 66336, scale = f32, layout = #dq_cpu.n16k4> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
