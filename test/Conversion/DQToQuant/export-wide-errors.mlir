// RUN: dq-opt %s --dq-export-quant="storage-type=i8" -verify-diagnostics

// With i8 storage zero points may leave the B-bit range, but not i8's.
func.func @zero_point_out_of_i8() -> tensor<1x4xf32> {
  // expected-error @below {{weight 'wide_q' row 0 group 0: zero point 200 (offset -1.000000e+02, scale 5.000000e-01) is out of range [-128, 127] of the i8 storage}}
  %w = dq.constant packed(dense_resource<wide_q> : tensor<1x1xi8>) scale(dense_resource<wide_s> : tensor<1x2xf32>) offset(dense_resource<wide_z> : tensor<1x2xf32>) : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32>
  %a = dq.dequantize %w : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32> -> tensor<1x4xf32>
  return %a : tensor<1x4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      wide_q: "0x1000000049",
      wide_s: "0x100000000000003F0000803E",
      wide_z: "0x100000000000C8C200000000"
    }
  }
#-}
