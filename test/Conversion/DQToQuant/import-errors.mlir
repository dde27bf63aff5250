// RUN: dq-opt %s --dq-import-quant --split-input-file -verify-diagnostics
// RUN: not dq-opt %s --dq-import-quant="scale-type=f64" 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: error: --dq-import-quant: scale-type must be f32, f16 or bf16, not 'f64'

func.func @per_tensor() -> tensor<2x4xf32> {
  %q = arith.constant dense<0> : tensor<2x4xi4>
  %t = quant.scast %q : tensor<2x4xi4> to tensor<2x4x!quant.uniform<i4:f32, 0.5:1>>
  // expected-error @below {{cannot import as a dq weight: per-tensor quantization has no dq equivalent (dq needs one scale per row and group)}}
  %d = quant.dcast %t : tensor<2x4x!quant.uniform<i4:f32, 0.5:1>> to tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

func.func @blocks_across_rows() -> tensor<2x4xf32> {
  %q = arith.constant dense<0> : tensor<2x4xi4>
  %t = quant.scast %q : tensor<2x4xi4> to tensor<2x4x!quant.uniform<i4:f32:{0:2, 1:2}, {{0.5:1, 0.25}}>>
  // expected-error @below {{sub-channel blocks of 2x2 have no dq equivalent (dq needs blocks of 1 row and G columns, along K)}}
  %d = quant.dcast %t : tensor<2x4x!quant.uniform<i4:f32:{0:2, 1:2}, {{0.5:1, 0.25}}>> to tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

func.func @per_axis_columns() -> tensor<2x4xf32> {
  %q = arith.constant dense<0> : tensor<2x4xi4>
  %t = quant.scast %q : tensor<2x4xi4> to tensor<2x4x!quant.uniform<i4:f32:1, {0.5, 0.5, 0.5, 0.5}>>
  // expected-error @below {{per-axis quantization along dimension 1 has no dq equivalent (dq needs one scale per row: axis 0)}}
  %d = quant.dcast %t : tensor<2x4x!quant.uniform<i4:f32:1, {0.5, 0.5, 0.5, 0.5}>> to tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

func.func @unsigned() -> tensor<2x4xf32> {
  %q = arith.constant dense<0> : tensor<2x4xi4>
  %t = quant.scast %q : tensor<2x4xi4> to tensor<2x4x!quant.uniform<u4:f32:{0:1, 1:4}, {{0.5:8}, {0.25:8}}>>
  // expected-error @below {{unsigned storage u4 does not match dq's signed (two's complement) integers}}
  %d = quant.dcast %t : tensor<2x4x!quant.uniform<u4:f32:{0:1, 1:4}, {{0.5:8}, {0.25:8}}>> to tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

func.func @f16_expressed() -> tensor<2x4xf16> {
  %q = arith.constant dense<0> : tensor<2x4xi4>
  %t = quant.scast %q : tensor<2x4xi4> to tensor<2x4x!quant.uniform<i4:f16:{0:1, 1:4}, {{0.5:1}, {0.25:1}}>>
  // expected-error @below {{expressed type 'f16' is not f32 (the dq interop exports and imports f32)}}
  %d = quant.dcast %t : tensor<2x4x!quant.uniform<i4:f16:{0:1, 1:4}, {{0.5:1}, {0.25:1}}>> to tensor<2x4xf16>
  return %d : tensor<2x4xf16>
}

// -----

func.func @storage_range() -> tensor<2x4xf32> {
  %q = arith.constant dense<0> : tensor<2x4xi8>
  %t = quant.scast %q : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8<-100:100>:f32:{0:1, 1:4}, {{0.5:1}, {0.25:1}}>>
  // expected-error @below {{storage range [-100, 100] of 'i8' is not the signed range of 2, 3, 4 or 8 bits}}
  %d = quant.dcast %t : tensor<2x4x!quant.uniform<i8<-100:100>:f32:{0:1, 1:4}, {{0.5:1}, {0.25:1}}>> to tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

func.func @value_out_of_range() -> tensor<1x4xf32> {
  %q = arith.constant dense<[[0, 1, 5, 0]]> : tensor<1x4xi8>
  %t = quant.scast %q : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8<-2:1>:f32:{0:1, 1:4}, {{0.5:1}}>>
  // expected-error @below {{integer 5 at row 0 column 2 is outside the storage range [-2, 1]}}
  %d = quant.dcast %t : tensor<1x4x!quant.uniform<i8<-2:1>:f32:{0:1, 1:4}, {{0.5:1}}>> to tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}

// -----

func.func @not_a_matrix() -> tensor<8xf32> {
  %q = arith.constant dense<0> : tensor<8xi4>
  %t = quant.scast %q : tensor<8xi4> to tensor<8x!quant.uniform<i4:f32:{0:4}, {0.5, 0.25}>>
  // expected-error @below {{a dq weight is a static 2-D tensor, not 'tensor<8x!quant.uniform<i4:f32:{0:4}, {5.000000e-01, 2.500000e-01}>>'}}
  %d = quant.dcast %t : tensor<8x!quant.uniform<i4:f32:{0:4}, {0.5, 0.25}>> to tensor<8xf32>
  return %d : tensor<8xf32>
}
