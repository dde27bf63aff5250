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
