// RUN: dq-opt %s --dq-lower-to-linalg --split-input-file --verify-diagnostics

// Weights must be defined in the function by dq.constant or dq.build.
// expected-error @+1 {{'func.func' op takes a dq weight as block argument #0; --dq-lower-to-linalg needs weights defined by dq.constant or dq.build in the same function}}
func.func @weight_argument(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> tensor<2x4xf32> {
  %f = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<2x4xf32>
  return %f : tensor<2x4xf32>
}

// -----

func.func @weight_escapes(%q: tensor<2x4xi2>, %s: tensor<2x2xf16>, %z: tensor<2x2xf16>) -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> {
  %w = dq.build %q, %s, %z : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  // expected-error @+1 {{'func.return' op uses a dq weight in a way --dq-lower-to-linalg cannot lower; only dq.split, dq.dequantize and dq.matmul are supported}}
  return %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
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
         : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = n16k4>
  %y = dq.matmul %x, %w : tensor<2x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = n16k4> -> tensor<2x20xf32>
  return %y : tensor<2x20xf32>
}
