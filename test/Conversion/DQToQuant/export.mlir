// RUN: dq-opt %s --dq-export-quant --split-input-file | FileCheck %s
// RUN: dq-opt %s --dq-export-quant="storage-type=i8" --split-input-file | FileCheck %s --check-prefix=WIDE
// After the export only upstream dialects remain: plain mlir-opt parses it.
// RUN: dq-opt %s --dq-export-quant --split-input-file | mlir-opt --split-input-file | FileCheck %s --check-prefix=UPSTREAM
// UPSTREAM-NOT: dq.
// UPSTREAM-NOT: !dq

// A 2-bit weight, one scale and zero point per row and group of 2 columns:
// z = -zp * s with zp = [[1, -2], [0, 1]]. The integer part becomes a
// logical i2 constant, storage-cast to the sub-channel type.

// CHECK-LABEL: func.func @dequantize
// CHECK: %[[Q:.*]] = arith.constant dense<{{\[\[}}1, -2, 0, 1], [-1, 0, 1, -2]]> : tensor<2x4xi2>
// CHECK: %[[T:.*]] = quant.scast %[[Q]] : tensor<2x4xi2> to tensor<2x4x!quant.uniform<i2:f32:{0:1, 1:2}, {{\{\{}}5.000000e-01:1, 2.500000e-01:-2}, {1.000000e+00, 2.000000e+00:1}}>>
// CHECK: %[[D:.*]] = quant.dcast %[[T]] : tensor<2x4x!quant.uniform<{{.*}}>> to tensor<2x4xf32>
// CHECK: %[[D16:.*]] = quant.dcast %[[T]] : tensor<2x4x!quant.uniform<{{.*}}>> to tensor<2x4xf32>
// CHECK: %[[H:.*]] = arith.truncf %[[D16]] : tensor<2x4xf32> to tensor<2x4xf16>
// CHECK: return %[[D]], %[[H]]
// WIDE-LABEL: func.func @dequantize
// WIDE: arith.constant dense<{{\[\[}}1, -2, 0, 1], [-1, 0, 1, -2]]> : tensor<2x4xi8>
// WIDE: quant.scast %{{.*}} : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8<-2:1>:f32:{0:1, 1:2}, {{\{\{}}5.000000e-01:1, 2.500000e-01:-2}, {1.000000e+00, 2.000000e+00:1}}>>
func.func @dequantize() -> (tensor<2x4xf32>, tensor<2x4xf16>) {
  %w = dq.constant packed(dense_resource<fc1_q> : tensor<2x1xi8>) scale(dense_resource<fc1_s> : tensor<2x2xf32>) offset(dense_resource<fc1_z> : tensor<2x2xf32>) : !dq.weight<[2, 4], bits = 2, group = 2, scale = f32>
  %a = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f32> -> tensor<2x4xf32>
  %b = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f32> -> tensor<2x4xf16>
  return %a, %b : tensor<2x4xf32>, tensor<2x4xf16>
}
{-#
  dialect_resources: {
    builtin: {
      fc1_q: "0x100000004993",
      fc1_s: "0x100000000000003F0000803E0000803F00000040",
      fc1_z: "0x10000000000000BF0000003F00000000000000C0"
    }
  }
#-}

// -----

// A 4-bit weight with f16 scales feeding dq.matmul: the f16 scales are held
// exactly by the f32 expressed type; the matmul is the portable lowering's
// transposed-B linalg.matmul over the dequantized f32 weight, with f32
// accumulation and one rounding to f16 at the end.

// CHECK-DAG: #[[XMAP:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[WMAP:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[YMAP:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:.*]]: tensor<3x8xf16>)
// CHECK: %[[Q:.*]] = arith.constant dense<{{\[\[}}7, -8, 0, 1, 2, 3, -1, -2], [0, 1, 2, 3, 4, 5, 6, 7]]> : tensor<2x8xi4>
// CHECK: %[[T:.*]] = quant.scast %[[Q]] : tensor<2x8xi4> to tensor<2x8x!quant.uniform<i4:f32:{0:1, 1:4}, {{\{\{}}5.000000e-01:3, 1.250000e-01:-8}, {1.000000e+00, 2.000000e+00:7}}>>
// CHECK: %[[W:.*]] = quant.dcast %[[T]] : {{.*}} to tensor<2x8xf32>
// CHECK: %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3x2xf32>)
// CHECK: %[[Y:.*]] = linalg.matmul indexing_maps = [#[[XMAP]], #[[WMAP]], #[[YMAP]]] ins(%[[X]], %[[W]] : tensor<3x8xf16>, tensor<2x8xf32>) outs(%[[ACC]] : tensor<3x2xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<3x2xf32>) outs(%{{.*}} : tensor<3x2xf16>)
// CHECK:   arith.truncf %{{.*}} : f32 to f16
// CHECK: return %[[R]]
func.func @matmul(%x: tensor<3x8xf16>) -> tensor<3x2xf16> {
  %w = dq.constant packed(dense_resource<fc2_q> : tensor<2x4xi8>) scale(dense_resource<fc2_s> : tensor<2x2xf16>) offset(dense_resource<fc2_z> : tensor<2x2xf16>) : !dq.weight<[2, 8], bits = 4, group = 4, scale = f16>
  %y = dq.matmul %x, %w : tensor<3x8xf16>, !dq.weight<[2, 8], bits = 4, group = 4, scale = f16> -> tensor<3x2xf16>
  return %y : tensor<3x2xf16>
}
{-#
  dialect_resources: {
    builtin: {
      fc2_q: "0x10000000871032EF10325476",
      fc2_s: "0x1000000000380030003C0040",
      fc2_z: "0x1000000000BE003C000000CB"
    }
  }
#-}

// -----

// Per-channel (group = K) at 8 bits with bf16 scales: one block of the whole
// row. At 8 bits the logical storage already is i8.

// CHECK-LABEL: func.func @per_channel
// CHECK: %[[Q:.*]] = arith.constant dense<{{\[\[}}100, -128, 0, 1], [5, 6, -7, 127]]> : tensor<2x4xi8>
// CHECK: quant.scast %[[Q]] : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32:{0:1, 1:4}, {{\{\{}}7.812500e-03:-3}, {5.000000e-01:10}}>>
// WIDE-LABEL: func.func @per_channel
// WIDE: tensor<2x4x!quant.uniform<i8:f32:{0:1, 1:4}
func.func @per_channel() -> tensor<2x4xbf16> {
  %w = dq.constant packed(dense_resource<fc3_q> : tensor<2x4xi8>) scale(dense_resource<fc3_s> : tensor<2x1xbf16>) offset(dense_resource<fc3_z> : tensor<2x1xbf16>) : !dq.weight<[2, 4], bits = 8, group = 4, scale = bf16>
  %a = dq.dequantize %w : !dq.weight<[2, 4], bits = 8, group = 4, scale = bf16> -> tensor<2x4xbf16>
  return %a : tensor<2x4xbf16>
}
{-#
  dialect_resources: {
    builtin: {
      fc3_q: "0x10000000648000010506F97F",
      fc3_s: "0x10000000003C003F",
      fc3_z: "0x10000000C03CA0C0"
    }
  }
#-}
