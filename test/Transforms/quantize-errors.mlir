// REQUIRES: numpy
// RUN: %dq_python %S/Inputs/make_stats.py %t.stats known:8 wide:16
// RUN: dq-opt %s --split-input-file --verify-diagnostics --dq-quantize="stats=%t.stats quiet=true"

// Statistics missing for a layer.
func.func @missing(%x: tensor<3x8xf32>, %init: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<0.5> : tensor<8x4xf32>
  // expected-error-re @below {{layer 'unknown' has no calibration statistics in '{{.*}}.stats' (run dq-run --calibrate on the instrumented module, or pass allow-missing-stats=true)}}
  %y = linalg.matmul {dq.layer = "unknown"} ins(%x, %w : tensor<3x8xf32>, tensor<8x4xf32>) outs(%init : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// K of the statistics differs from the weight's.
func.func @k_mismatch(%x: tensor<3x8xf32>, %init: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<0.5> : tensor<8x4xf32>
  // expected-error @below {{layer 'wide': statistics have K = 16 but the weight has K = 8 (4 x 8)}}
  %y = linalg.matmul {dq.layer = "wide"} ins(%x, %w : tensor<3x8xf32>, tensor<8x4xf32>) outs(%init : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// The default group size 64 does not divide K = 8.
func.func @group(%x: tensor<3x8xf32>, %init: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<0.5> : tensor<8x4xf32>
  // expected-error @below {{layer 'known': group size 64 does not divide K = 8 (use group-size=-1 for per-channel, or a layer-group-size override)}}
  %y = linalg.matmul {dq.layer = "known"} ins(%x, %w : tensor<3x8xf32>, tensor<8x4xf32>) outs(%init : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// A constant operand in an unsupported layout: a remark, nothing else.
func.func @unsupported(%x: tensor<8x3xf32>, %init: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<1.0> : tensor<8x4xf32>
  // expected-remark @below {{not quantized: the activation and result layouts are not x[..., k] and y[..., n]}}
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<8x3xf32>, tensor<8x4xf32>) outs(%init : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
