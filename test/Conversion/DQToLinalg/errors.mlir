// RUN: dq-opt %s --dq-lower-to-linalg --split-input-file --verify-diagnostics

// A weight may only reach ops the conversion has patterns for.
func.func @select(%c: i1, %a: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>, %b: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'arith.select' op uses a dq weight in a way --dq-lower-to-linalg cannot lower; weights may only reach dq ops, function arguments and results, func.call, scf control flow and cf branches}}
  %w = arith.select %c, %a, %b : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  %f = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<2x4xf32>
  return %f : tensor<2x4xf32>
}

// -----

// Or results of a region op the structural patterns do not cover.
func.func @execute_region(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'scf.execute_region' op uses a dq weight in a way --dq-lower-to-linalg cannot lower}}
  %v = scf.execute_region -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> {
    scf.yield %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  }
  %f = dq.dequantize %v : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<2x4xf32>
  return %f : tensor<2x4xf32>
}

// -----

func.func @observer(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'dq.observe' op has no portable lowering; observers only run in calibration builds, remove them to compile for inference}}
  %y = dq.observe %x layer "fc" : tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// A weight repacked for the CPU kernels has no portable lowering.
func.func @packed_layout(%x: tensor<2x64xf32>) -> tensor<2x20xf32> {
  // expected-error @+1 {{'dq.constant' op holds a weight in the n16k4 layout, which has no portable lowering; lower to linalg before --dq-pack-weights}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x256xi8>)
         scale(dense_resource<s> : tensor<2x2x16xf16>)
         offset(dense_resource<z> : tensor<2x2x16xf16>)
         : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
  %y = dq.matmul %x, %w : tensor<2x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<2x20xf32>
  return %y : tensor<2x20xf32>
}

// -----

// So has a weight argument in a repacked layout.
// expected-error @+1 {{'func.func' op takes a weight in the n16k4 layout as block argument, which has no portable lowering; lower to linalg before --dq-pack-weights}}
func.func @packed_argument(%x: tensor<2x64xf32>, %w: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) -> tensor<2x20xf32> {
  %y = dq.matmul %x, %w : tensor<2x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<2x20xf32>
  return %y : tensor<2x20xf32>
}
