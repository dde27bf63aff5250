// RUN: dq-opt %s --dq-import-quant="scale-type=f16" -verify-diagnostics

func.func @inexact_scale() -> tensor<1x4xf32> {
  %q = arith.constant dense<0> : tensor<1x4xi4>
  %t = quant.scast %q : tensor<1x4xi4> to tensor<1x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{0.5:1, 0.1:1}}>>
  // expected-error @below {{scale 1.000000e-01 at row 0 group 1 is not exactly representable in 'f16'}}
  %d = quant.dcast %t : tensor<1x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{0.5:1, 0.1:1}}>> to tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}
