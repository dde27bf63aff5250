// RUN: dq-opt %s --test-dq-quant-patterns | FileCheck %s
// RUN: dq-opt %s --test-dq-quant-patterns | dq-opt --test-dq-quant-patterns="import=true" | FileCheck %s --check-prefix=BACK

// The export and import patterns in another pass's greedy driver: the
// representable weight converts, the other one stays (no diagnostics).

// CHECK-LABEL: func.func @patterns
// CHECK: quant.scast %{{.*}} : tensor<2x4xi2> to tensor<2x4x!quant.uniform<i2:f32:{0:1, 1:2}
// CHECK: dq.constant packed(dense_resource<frac_q>
// BACK-LABEL: func.func @patterns
// BACK-NOT: quant.
// BACK: dq.constant packed(dense_resource<quant_weight_q> : tensor<2x1xi8>)
// BACK: dq.constant packed(dense_resource<frac_q>
// BACK: quant_weight_s: "0x100000000000003F0000803E0000803F00000040"
func.func @patterns() -> (tensor<2x4xf32>, tensor<1x4xf32>) {
  %w = dq.constant packed(dense_resource<fc1_q> : tensor<2x1xi8>) scale(dense_resource<fc1_s> : tensor<2x2xf32>) offset(dense_resource<fc1_z> : tensor<2x2xf32>) : !dq.weight<[2, 4], bits = 2, group = 2, scale = f32>
  %a = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f32> -> tensor<2x4xf32>
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
