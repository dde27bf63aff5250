// REQUIRES: numpy
// RUN: %dq_python %S/Inputs/make_stats.py %t.stats proj:8 fc1:8 head:6 gen:8 shared_w:8 acc:8 blk.up:16 blk.down:16 blk.gate:16
// RUN: dq-opt %s --split-input-file --dq-quantize="stats=%t.stats bits=2 group-size=4 quiet=true layer-bits=*.down:4 layer-group-size=blk.*:-1 skip=*.gate" | FileCheck %s

// Weight as B ([K, N]): transposed into the [N, K] dq weight; the float
// constant is gone.
// CHECK-LABEL: func.func @b_is_kn
// CHECK-NOT: arith.constant dense
// CHECK: %[[W:.*]] = dq.constant packed(dense_resource<proj.q> : tensor<4x2xi8>) scale(dense_resource<proj.s> : tensor<4x2xf16>) offset(dense_resource<proj.z> : tensor<4x2xf16>) : !dq.weight<[4, 8], bits = 2, group = 4, scale = f16>
// CHECK: %[[Y:.*]] = dq.matmul %arg0, %[[W]] {dq.layer = "proj"} : tensor<3x8xf32>, !dq.weight<[4, 8], bits = 2, group = 4, scale = f16> -> tensor<3x4xf32>
// CHECK-NOT: linalg.matmul
// CHECK: return %[[Y]]
func.func @b_is_kn(%x: tensor<3x8xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 2.0, 0.25], [1.0, 2.0, -3.0, 0.5], [0.1, 0.2, 0.3, 0.4], [-0.5, 0.5, -0.25, 0.75], [1.5, -1.5, 0.0, 1.0], [0.3, -0.7, 0.9, -1.1], [2.0, 1.0, 0.5, 0.25], [-2.0, -1.0, -0.5, -0.25]]> : tensor<8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<3x4xf32>) -> tensor<3x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<3x4xf32>) -> tensor<3x4xf32> loc("proj")
  return %y : tensor<3x4xf32>
}

// -----

// A non-zero init is added to the product; the transpose feeding the
// matmul is removed with the constant.
// CHECK-LABEL: func.func @accumulates
// CHECK-NOT: linalg.transpose
// CHECK: %[[W:.*]] = dq.constant {{.*}} : !dq.weight<[4, 8], bits = 2, group = 4, scale = f16>
// CHECK: %[[P:.*]] = dq.matmul %arg0, %[[W]] {dq.layer = "acc"}
// CHECK: %[[S:.*]] = arith.addf %[[P]], %arg1 : tensor<3x4xf32>
// CHECK: return %[[S]]
func.func @accumulates(%x: tensor<3x8xf32>, %bias: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<1.5> : tensor<4x8xf32> loc("acc")
  %te = tensor.empty() : tensor<8x4xf32>
  %t = linalg.transpose ins(%w : tensor<4x8xf32>) outs(%te : tensor<8x4xf32>) permutation = [1, 0]
  %y = linalg.matmul ins(%x, %t : tensor<3x8xf32>, tensor<8x4xf32>) outs(%bias : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// A generic contraction with batch dims and bf16 activations.
// CHECK-LABEL: func.func @generic_contraction
// CHECK: %[[W:.*]] = dq.constant {{.*}} : !dq.weight<[5, 8], bits = 2, group = 4, scale = f16>
// CHECK: dq.matmul %arg0, %[[W]] {dq.layer = "gen"} : tensor<2x3x8xbf16>, !dq.weight<[5, 8], bits = 2, group = 4, scale = f16> -> tensor<2x3x5xbf16>
// CHECK: arith.addf
func.func @generic_contraction(%x: tensor<2x3x8xbf16>, %init: tensor<2x3x5xbf16>) -> tensor<2x3x5xbf16> {
  %w = arith.constant dense<1.0> : tensor<5x8xbf16> loc("gen")
  %y = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<2x3x8xbf16>, tensor<5x8xbf16>) outs(%init : tensor<2x3x5xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %c: bf16):
    %p = arith.mulf %a, %b : bf16
    %s = arith.addf %c, %p : bf16
    linalg.yield %s : bf16
  } -> tensor<2x3x5xbf16>
  return %y : tensor<2x3x5xbf16>
}

// -----

// batch_matmul of a broadcast ml_program global: one dq.matmul over the
// leading batch dim; the global stays (other code may load it).
// CHECK-LABEL: func.func @batch_broadcast
// CHECK-NOT: linalg.broadcast
// CHECK: dq.matmul %arg0, %{{.*}} {dq.layer = "shared_w"} : tensor<2x3x8xf32>, !dq.weight<[4, 8], bits = 2, group = 4, scale = f16> -> tensor<2x3x4xf32>
ml_program.global private @shared_w(dense<1.0> : tensor<8x4xf32>) : tensor<8x4xf32>
func.func @batch_broadcast(%x: tensor<2x3x8xf32>) -> tensor<2x3x4xf32> {
  %w = ml_program.global_load_const @shared_w : tensor<8x4xf32>
  %e = tensor.empty() : tensor<2x8x4xf32>
  %wb = linalg.broadcast ins(%w : tensor<8x4xf32>) outs(%e : tensor<2x8x4xf32>) dimensions = [0]
  %z = arith.constant 0.0 : f32
  %oe = tensor.empty() : tensor<2x3x4xf32>
  %init = linalg.fill ins(%z : f32) outs(%oe : tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %y = linalg.batch_matmul ins(%x, %wb : tensor<2x3x8xf32>, tensor<2x8x4xf32>) outs(%init : tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// Per-layer overrides (first matching glob wins) and the skip list: the
// down projection at 4 bits, both per-channel, the gate left in float.
// CHECK-LABEL: func.func @overrides
// CHECK: dq.matmul %arg0, %{{.*}} {dq.layer = "blk.up"} : tensor<2x16xf32>, !dq.weight<[4, 16], bits = 2, group = 16, scale = f16>
// CHECK: linalg.matmul {{.*}}ins(%arg0, %{{.*}} : tensor<2x16xf32>, tensor<16x4xf32>)
// CHECK: dq.matmul %arg1, %{{.*}} {dq.layer = "blk.down"} : tensor<2x16xf32>, !dq.weight<[4, 16], bits = 4, group = 16, scale = f16>
func.func @overrides(%x: tensor<2x16xf32>, %h: tensor<2x16xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %w = arith.constant dense<0.5> : tensor<16x4xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %init = linalg.fill ins(%z : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %up = linalg.matmul {dq.layer = "blk.up"} ins(%x, %w : tensor<2x16xf32>, tensor<16x4xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  %gate = linalg.matmul {dq.layer = "blk.gate"} ins(%x, %w : tensor<2x16xf32>, tensor<16x4xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  %down = linalg.matmul {dq.layer = "blk.down"} ins(%h, %w : tensor<2x16xf32>, tensor<16x4xf32>) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %up, %gate, %down : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}
