// RUN: dq-opt %s --dq-export-quant="allow-partial=true" -verify-diagnostics | FileCheck %s

// With allow-partial a weight that is not representable stays a dq weight,
// with a remark; the others are exported.

// CHECK-LABEL: func.func @partial
// CHECK: %[[Q:.*]] = arith.constant dense<{{\[\[}}1, -2, 0, 1], [-1, 0, 1, -2]]> : tensor<2x4xi2>
// CHECK: quant.scast %[[Q]]
// CHECK: quant.dcast
// CHECK: %[[W:.*]] = dq.constant packed(dense_resource<frac_q>
// CHECK: dq.dequantize %[[W]]
func.func @partial() -> (tensor<2x4xf32>, tensor<1x4xf32>) {
  %w = dq.constant packed(dense_resource<fc1_q> : tensor<2x1xi8>) scale(dense_resource<fc1_s> : tensor<2x2xf32>) offset(dense_resource<fc1_z> : tensor<2x2xf32>) : !dq.weight<[2, 4], bits = 2, group = 2, scale = f32>
  %a = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f32> -> tensor<2x4xf32>
  // expected-remark @below {{not exported: weight 'frac_q' row 0 group 1: non-integer zero point}}
  %v = dq.constant packed(dense_resource<frac_q> : tensor<1x1xi8>) scale(dense_resource<frac_s> : tensor<1x2xf32>) offset(dense_resource<frac_z> : tensor<1x2xf32>) : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32>
  %b = dq.dequantize %v : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32> -> tensor<1x4xf32>
  return %a, %b : tensor<2x4xf32>, tensor<1x4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      fc1_q: "0x100000004993",
      fc1_s: "0x100000000000003F0000803E0000803F00000040",
      fc1_z: "0x10000000000000BF0000003F00000000000000C0",
      frac_q: "0x1000000049",
      frac_s: "0x100000000000003F0000803E",
      frac_z: "0x10000000000000BF9A99993E"
    }
  }
#-}
