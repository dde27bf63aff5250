// RUN: dq-opt %s --test-dq-to-linalg-in-foreign-pass --split-input-file | FileCheck %s
// RUN: dq-opt %s --test-dq-to-linalg-in-foreign-pass --split-input-file | mlir-opt --split-input-file | FileCheck %s --check-prefix=UPSTREAM
// UPSTREAM-NOT: dq.
// UPSTREAM-NOT: !dq
// UPSTREAM-NOT: unrealized_conversion_cast

// Another stack's conversion (its own target, type converter and arith
// pattern) runs dq's patterns with its own func patterns, in one full
// conversion: the weight argument and the call are converted by the stack,
// the dq ops by dq's patterns, arith.negf by the stack's pattern.

// CHECK-LABEL: func.func private @apply
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[Q:.*]]: tensor<2x4xi2>, %[[S:.*]]: tensor<2x2xf16>, %[[Z:.*]]: tensor<2x2xf16>) -> tensor<3x2xf32>
// CHECK: %[[M1:.*]] = arith.constant dense<-1.000000e+00> : tensor<3x4xf32>
// CHECK: %[[N:.*]] = arith.mulf %[[X]], %[[M1]] : tensor<3x4xf32>
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[Q]], %[[S]], %[[Z]] :
// CHECK: linalg.matmul {{.*}} ins(%[[N]], %[[W]] :
func.func private @apply(%x: tensor<3x4xf32>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> tensor<3x2xf32> {
  %n = arith.negf %x : tensor<3x4xf32>
  %y = dq.matmul %n, %w : tensor<3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// CHECK-LABEL: func.func @main
// CHECK: %[[P:.*]] = arith.constant dense_resource<q> : tensor<2x1xi8>
// CHECK: %[[S:.*]] = arith.constant dense_resource<s> : tensor<2x2xf16>
// CHECK: %[[Z:.*]] = arith.constant dense_resource<z> : tensor<2x2xf16>
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<2x1xi8>) outs(%{{.*}} : tensor<2x4xi2>)
// CHECK: call @apply(%{{.*}}, %[[Q]], %[[S]], %[[Z]])
func.func @main(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  %y = func.call @apply(%x, %w) : (tensor<3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x100000004E1B",
      s: "0x10000000003C0040003C003C",
      z: "0x1000000000000000003C0000"
    }
  }
#-}
