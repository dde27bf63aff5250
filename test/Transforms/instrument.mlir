// RUN: dq-opt %s --dq-instrument --split-input-file --verify-diagnostics | FileCheck %s
// Instrumenting twice observes nothing twice.
// RUN: dq-opt %s --dq-instrument --split-input-file --verify-diagnostics | dq-opt --dq-instrument --split-input-file | FileCheck %s

// Weight as B ([K, N]) of a plain linalg.matmul; named by its NameLoc.
// CHECK-LABEL: func.func @b_is_kn
// CHECK: %[[O:.*]] = dq.observe %arg0 layer "proj" : tensor<3x8xf32>
// CHECK-NOT: dq.observe
// CHECK: linalg.matmul {dq.layer = "proj"} ins(%[[O]], %{{.*}} : tensor<3x8xf32>, tensor<8x4xf32>)
func.func @b_is_kn(%x: tensor<3x8xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<0.5> : tensor<8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<3x4xf32>) -> tensor<3x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<3x4xf32>) -> tensor<3x4xf32> loc("proj")
  return %y : tensor<3x4xf32>
}

// -----

// torch-mlir's aten.linear: linalg.transpose of an [N, K] dense_resource;
// named by the resource key; an explicit dq.layer wins over everything.
// CHECK-LABEL: func.func @torch_linear
// CHECK: dq.observe %arg0 layer "fc1_weight" : tensor<3x8xf32>
// CHECK: dq.observe %{{.*}} layer "head" : tensor<3x6xf32>
func.func @torch_linear(%x: tensor<3x8xf32>) -> tensor<3x4xf32> {
  %w1 = arith.constant dense_resource<fc1_weight> : tensor<6x8xf32>
  %w2 = arith.constant dense_resource<fc2_weight> : tensor<4x6xf32>
  %zero = arith.constant 0.0 : f32
  %t1e = tensor.empty() : tensor<8x6xf32>
  %t1 = linalg.transpose ins(%w1 : tensor<6x8xf32>) outs(%t1e : tensor<8x6xf32>) permutation = [1, 0]
  %e1 = tensor.empty() : tensor<3x6xf32>
  %a1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<3x6xf32>) -> tensor<3x6xf32>
  %h = linalg.matmul ins(%x, %t1 : tensor<3x8xf32>, tensor<8x6xf32>) outs(%a1 : tensor<3x6xf32>) -> tensor<3x6xf32>
  %t2e = tensor.empty() : tensor<6x4xf32>
  %t2 = linalg.transpose ins(%w2 : tensor<4x6xf32>) outs(%t2e : tensor<6x4xf32>) permutation = [1, 0]
  %e2 = tensor.empty() : tensor<3x4xf32>
  %a2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x4xf32>) -> tensor<3x4xf32>
  %y = linalg.matmul {dq.layer = "head"} ins(%h, %t2 : tensor<3x6xf32>, tensor<6x4xf32>) outs(%a2 : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      fc1_weight: "0x040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
      fc2_weight: "0x04000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    }
  }
#-}

// -----

// Transposed B through indexing_maps (LLVM 22 has no matmul_transpose_b);
// no name anywhere: the fallback counts the function's weight matmuls.
// CHECK-LABEL: func.func @transposed_maps
// CHECK: dq.observe %arg0 layer "transposed_maps.matmul1"
// CHECK: dq.observe %{{.*}} layer "transposed_maps.matmul2"
func.func @transposed_maps(%x: tensor<2x8xf16>) -> tensor<2x4xf16> {
  %w = arith.constant dense<1.0> : tensor<4x8xf16>
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<2x4xf16>
  %acc = linalg.fill ins(%zero : f16) outs(%e : tensor<2x4xf16>) -> tensor<2x4xf16>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x8xf16>, tensor<4x8xf16>) outs(%acc : tensor<2x4xf16>) -> tensor<2x4xf16>
  %w2 = arith.constant dense<1.0> : tensor<4x4xf16>
  %y2 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%y, %w2 : tensor<2x4xf16>, tensor<4x4xf16>) outs(%acc : tensor<2x4xf16>) -> tensor<2x4xf16>
  return %y2 : tensor<2x4xf16>
}

// -----

// A linalg.generic contraction with leading batch dims on the activation,
// the weight indexed (n, k).
// CHECK-LABEL: func.func @generic_contraction
// CHECK: %[[O:.*]] = dq.observe %arg0 layer "gen" : tensor<2x3x8xbf16>
// CHECK: linalg.generic {{.*}} ins(%[[O]], %{{.*}} : tensor<2x3x8xbf16>, tensor<5x8xbf16>)
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

// batch_matmul whose weight is a broadcast ml_program global.
// CHECK-LABEL: func.func @batch_broadcast
// CHECK: dq.observe %arg0 layer "shared_w" : tensor<2x3x8xf32>
ml_program.global private @shared_w(dense<1.0> : tensor<8x4xf32>) : tensor<8x4xf32>
func.func @batch_broadcast(%x: tensor<2x3x8xf32>, %init: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %w = ml_program.global_load_const @shared_w : tensor<8x4xf32>
  %e = tensor.empty() : tensor<2x8x4xf32>
  %wb = linalg.broadcast ins(%w : tensor<8x4xf32>) outs(%e : tensor<2x8x4xf32>) dimensions = [0]
  %y = linalg.batch_matmul ins(%x, %wb : tensor<2x3x8xf32>, tensor<2x8x4xf32>) outs(%init : tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// A constant memref.global read through bufferization.to_tensor; the same
// weight used twice gives two layers.
// CHECK-LABEL: func.func @memref_global
// CHECK: dq.observe %arg0 layer "g_w" : tensor<3x8xf32>
// CHECK: dq.observe %arg1 layer "g_w#2" : tensor<3x8xf32>
memref.global "private" constant @g_w : memref<8x4xf32> = dense<2.0>
func.func @memref_global(%x: tensor<3x8xf32>, %x2: tensor<3x8xf32>, %init: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>) {
  %m = memref.get_global @g_w : memref<8x4xf32>
  %w = bufferization.to_tensor %m restrict : memref<8x4xf32> to tensor<8x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x8xf32>, tensor<8x4xf32>) outs(%init : tensor<3x4xf32>) -> tensor<3x4xf32>
  %y2 = linalg.matmul ins(%x2, %w : tensor<3x8xf32>, tensor<8x4xf32>) outs(%init : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y, %y2 : tensor<3x4xf32>, tensor<3x4xf32>
}

// -----

// Not weight-bearing: no constant operand (attention's QKᵀ). Untouched.
// CHECK-LABEL: func.func @activations_only
// CHECK-NOT: dq.observe
func.func @activations_only(%q: tensor<3x8xf32>, %k: tensor<8x3xf32>, %init: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %y = linalg.matmul ins(%q, %k : tensor<3x8xf32>, tensor<8x3xf32>) outs(%init : tensor<3x3xf32>) -> tensor<3x3xf32>
  return %y : tensor<3x3xf32>
}

// -----

// A constant operand in a layout dq.matmul cannot express (x read as
// [K, M]) is left alone with a remark.
// CHECK-LABEL: func.func @transposed_activation
// CHECK-NOT: dq.observe
func.func @transposed_activation(%x: tensor<8x3xf32>, %init: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<1.0> : tensor<8x4xf32>
  // expected-remark @below {{not observed: the activation and result layouts are not x[..., k] and y[..., n]}}
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<8x3xf32>, tensor<8x4xf32>) outs(%init : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// Integer matmuls are not quantizable weights.
// CHECK-LABEL: func.func @integer_matmul
// CHECK-NOT: dq.observe
func.func @integer_matmul(%x: tensor<3x8xi32>, %init: tensor<3x4xi32>) -> tensor<3x4xi32> {
  %w = arith.constant dense<1> : tensor<8x4xi32>
  %y = linalg.matmul ins(%x, %w : tensor<3x8xi32>, tensor<8x4xi32>) outs(%init : tensor<3x4xi32>) -> tensor<3x4xi32>
  return %y : tensor<3x4xi32>
}
