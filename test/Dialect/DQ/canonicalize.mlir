// RUN: dq-opt %s --canonicalize --split-input-file | FileCheck %s

// split(build(q, s, z)) folds to q, s, z.
// CHECK-LABEL: func.func @split_of_build
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8xi4>, %[[S:.*]]: tensor<2x2xf32>, %[[Z:.*]]: tensor<2x2xf32>)
// CHECK-NOT: = dq.
// CHECK: return %[[Q]], %[[S]], %[[Z]]
func.func @split_of_build(%q: tensor<2x8xi4>, %s: tensor<2x2xf32>, %z: tensor<2x2xf32>)
    -> (tensor<2x8xi4>, tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = dq.build %q, %s, %z : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  %q2, %s2, %z2 = dq.split %w : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  return %q2, %s2, %z2 : tensor<2x8xi4>, tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// build(split(w)) folds to w.
// CHECK-LABEL: func.func @build_of_split
// CHECK-SAME: (%[[W:.*]]: !dq.weight
// CHECK-NOT: = dq.
// CHECK: return %[[W]]
func.func @build_of_split(%w: !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>)
    -> !dq.weight<[2, 8], bits = 4, group = 4, scale = f32> {
  %q, %s, %z = dq.split %w : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  %w2 = dq.build %q, %s, %z : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  return %w2 : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
}

// -----

// Parts taken from two different splits do not fold back to either weight.
// CHECK-LABEL: func.func @build_of_mixed_splits
// CHECK: dq.split
// CHECK: dq.split
// CHECK: %[[W:.*]] = dq.build
// CHECK: return %[[W]]
func.func @build_of_mixed_splits(%a: !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>,
                                 %b: !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>)
    -> !dq.weight<[2, 8], bits = 4, group = 4, scale = f32> {
  %qa, %sa, %za = dq.split %a : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  %qb, %sb, %zb = dq.split %b : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  %w = dq.build %qa, %sb, %za : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  return %w : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
}

// -----

// Pure ops without uses are removed; the observer writes calibration state
// and stays.
// CHECK-LABEL: func.func @dead_code
// CHECK-NOT: dq.dequantize
// CHECK-NOT: dq.matmul
// CHECK: dq.observe
func.func @dead_code(%w: !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>,
                     %x: tensor<3x8xf32>) {
  %0 = dq.dequantize %w : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32> -> tensor<2x8xf32>
  %1 = dq.matmul %x, %w : tensor<3x8xf32>, !dq.weight<[2, 8], bits = 4, group = 4, scale = f32> -> tensor<3x2xf32>
  %2 = dq.observe %x layer "fc" : tensor<3x8xf32>
  return
}
