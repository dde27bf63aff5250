// The verify hook and storage types of a layout defined outside dialects/
// (test/lib/Dialect/TestLayout.cpp).
// RUN: dq-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{layout test_transposed needs fields that do not straddle bytes; got 3 bits}}
func.func @three_bits(%w: !dq.weight<[4, 8], bits = 3, group = 8, scale = f16, layout = #dq_test.transposed>)

// -----

// The layout's own checks run after the weight type's.
// expected-error @+1 {{group size 3 must divide the column count 8}}
func.func @bad_group(%w: !dq.weight<[4, 8], bits = 2, group = 3, scale = f16, layout = #dq_test.transposed>)

// -----

func.func @packed_shape() {
  // expected-error @+1 {{'dq.constant' op packed type must be 'tensor<8x1xi8>' for '!dq.weight<[4, 8], bits = 2, group = 4, scale = f16, layout = #dq_test.transposed>', got 'tensor<4x2xi8>'}}
  %w = dq.constant packed(dense_resource<q> : tensor<4x2xi8>)
         scale(dense_resource<s> : tensor<4x2xf16>)
         offset(dense_resource<z> : tensor<4x2xf16>)
         : !dq.weight<[4, 8], bits = 2, group = 4, scale = f16, layout = #dq_test.transposed>
  return
}

// -----

func.func @build(%q: tensor<4x8xi2>, %s: tensor<4x2xf16>, %z: tensor<4x2xf16>) {
  // expected-error @+1 {{'dq.build' op needs a row_major weight; layout test_transposed exists only in dq.constant (written by --dq-pack-weights)}}
  %w = dq.build %q, %s, %z : !dq.weight<[4, 8], bits = 2, group = 4, scale = f16, layout = #dq_test.transposed>
  return
}

// -----

// expected-error @+2 {{unknown attribute `tiled` in dialect `dq_test`}}
// expected-error @+1 {{failed to parse DQ_WeightType parameter 'layout'}}
func.func @unknown(%w: !dq.weight<[4, 8], bits = 2, group = 8, scale = f16, layout = #dq_test.tiled>)
