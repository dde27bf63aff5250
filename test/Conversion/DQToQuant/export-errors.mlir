// RUN: dq-opt %s --dq-export-quant --split-input-file -verify-diagnostics
// RUN: not dq-opt %s --dq-export-quant="storage-type=i4" 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: error: --dq-export-quant: storage-type must be 'logical' or 'i8', not 'i4'

// quant.uniform needs positive scales.
func.func @negative_scale() -> tensor<1x4xf32> {
  // expected-error @below {{cannot export to !quant.uniform: weight 'neg_q' row 0 group 1: scale -5.000000e-01 is not positive (quant.uniform needs scales > 0)}}
  %w = dq.constant packed(dense_resource<neg_q> : tensor<1x1xi8>) scale(dense_resource<neg_s> : tensor<1x2xf32>) offset(dense_resource<neg_z> : tensor<1x2xf32>) : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32>
  %a = dq.dequantize %w : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32> -> tensor<1x4xf32>
  return %a : tensor<1x4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      neg_q: "0x1000000049",
      neg_s: "0x100000000000003F000000BF",
      neg_z: "0x10000000000000BF00000080"
    }
  }
#-}

// -----

// z = 0.3 with s = 0.25: -z/s = -1.2 is not an integer.
func.func @non_integer_zero_point() -> tensor<1x4xf32> {
  // expected-error @below {{weight 'frac_q' row 0 group 1: non-integer zero point -z/s = -1.200000e+00 (offset 3.000000e-01, scale 2.500000e-01)}}
  %w = dq.constant packed(dense_resource<frac_q> : tensor<1x1xi8>) scale(dense_resource<frac_s> : tensor<1x2xf32>) offset(dense_resource<frac_z> : tensor<1x2xf32>) : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32>
  %a = dq.dequantize %w : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32> -> tensor<1x4xf32>
  return %a : tensor<1x4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      frac_q: "0x1000000049",
      frac_s: "0x100000000000003F0000803E",
      frac_z: "0x10000000000000BF9A99993E"
    }
  }
#-}

// -----

// zp = 3 does not fit the i2 storage ([-2, 1]); storage-type=i8 would hold it.
func.func @zero_point_out_of_range() -> tensor<2x4xf32> {
  // expected-error @below {{weight 'far_q' row 1 group 1: zero point 3 (offset -3.000000e+00, scale 1.000000e+00) is out of range [-2, 1] of the i2 storage}}
  %w = dq.constant packed(dense_resource<far_q> : tensor<2x1xi8>) scale(dense_resource<far_s> : tensor<2x2xf32>) offset(dense_resource<far_z> : tensor<2x2xf32>) : !dq.weight<[2, 4], bits = 2, group = 2, scale = f32>
  %a = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f32> -> tensor<2x4xf32>
  return %a : tensor<2x4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      far_q: "0x100000004900",
      far_s: "0x100000000000003F0000803E0000803F0000803F",
      far_z: "0x10000000000000BF0000000000000000000040C0"
    }
  }
#-}

// -----

// A weight that leaves through a return has no quant counterpart.
func.func @returned() -> !dq.weight<[1, 4], bits = 2, group = 2, scale = f32> {
  // expected-error @below {{weight 'frac_q' is used by 'func.return', which has no quant counterpart (only dq.dequantize and dq.matmul are exported)}}
  %w = dq.constant packed(dense_resource<frac_q> : tensor<1x1xi8>) scale(dense_resource<frac_s> : tensor<1x2xf32>) offset(dense_resource<frac_z> : tensor<1x2xf32>) : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32>
  return %w : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32>
}
{-#
  dialect_resources: {
    builtin: {
      frac_q: "0x1000000049",
      frac_s: "0x100000000000003F0000803E",
      frac_z: "0x10000000000000BF9A99993E"
    }
  }
#-}

// -----

// Repacked layouts are target storage, not the row-major integers.
func.func @repacked() -> tensor<20x64xf32> {
  // expected-error @below {{weight 'q' is not in the row_major layout; export before --dq-pack-weights}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x256xi8>) scale(dense_resource<s> : tensor<2x2x16xf16>) offset(dense_resource<z> : tensor<2x2x16xf16>) : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
  %a = dq.dequantize %w : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<20x64xf32>
  return %a : tensor<20x64xf32>
}

// -----

// Blobs without data (elided, or not in the file) cannot be read.
func.func @elided_packed() -> tensor<1x4xf32> {
  // expected-error @below {{weight 'nodata_q': the packed blob has no data (elided)}}
  %w = dq.constant packed(dense_resource<nodata_q> : tensor<1x1xi8>) scale(dense_resource<nodata_s> : tensor<1x2xf32>) offset(dense_resource<nodata_z> : tensor<1x2xf32>) : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32>
  %a = dq.dequantize %w : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32> -> tensor<1x4xf32>
  return %a : tensor<1x4xf32>
}

// -----

func.func @elided_scale() -> tensor<1x4xf32> {
  // expected-error @below {{weight 'half_q': the scale or offset blob has no data (elided)}}
  %w = dq.constant packed(dense_resource<half_q> : tensor<1x1xi8>) scale(dense_resource<half_s> : tensor<1x2xf32>) offset(dense_resource<half_z> : tensor<1x2xf32>) : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32>
  %a = dq.dequantize %w : !dq.weight<[1, 4], bits = 2, group = 2, scale = f32> -> tensor<1x4xf32>
  return %a : tensor<1x4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      half_q: "0x1000000049"
    }
  }
#-}

// -----

// Non-zero padding bits: the bytes were not packed as 2-bit row_major.
func.func @bad_padding() -> tensor<1x2xf32> {
  // expected-error @below {{weight 'pad_q': row 0 has non-zero padding bits; the data was not packed as 2-bit row_major}}
  %w = dq.constant packed(dense_resource<pad_q> : tensor<1x1xi8>) scale(dense_resource<pad_s> : tensor<1x1xf32>) offset(dense_resource<pad_z> : tensor<1x1xf32>) : !dq.weight<[1, 2], bits = 2, group = 2, scale = f32>
  %a = dq.dequantize %w : !dq.weight<[1, 2], bits = 2, group = 2, scale = f32> -> tensor<1x2xf32>
  return %a : tensor<1x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      pad_q: "0x10000000F1",
      pad_s: "0x100000000000803F",
      pad_z: "0x1000000000000000"
    }
  }
#-}
