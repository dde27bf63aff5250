// RUN: dq-opt %s --dq-lower-to-linalg --split-input-file | FileCheck %s
// The output must parse with upstream mlir-opt, without the dq dialect.
// RUN: dq-opt %s --dq-lower-to-linalg --split-input-file | mlir-opt --split-input-file | FileCheck %s --check-prefix=UPSTREAM
// UPSTREAM-NOT: dq.
// UPSTREAM-NOT: !dq

// A 2-bit constant: the blobs stay blobs, the packed i8 storage is unpacked
// into the logical i2 tensor (4 fields per byte), dequantized per group and
// fed to a matmul that reads the [N, K] weight transposed.

// CHECK-DAG: #[[UNPACK2:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 4)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[GROUP:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-DAG: #[[XMAP:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[WMAP:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[YMAP:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @constant_matmul
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK-DAG: %[[P:.*]] = arith.constant dense_resource<q> : tensor<2x1xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense_resource<s> : tensor<2x2xf16>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense_resource<z> : tensor<2x2xf16>
// CHECK: %[[Q:.*]] = linalg.generic {indexing_maps = [#[[UNPACK2]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[P]] : tensor<2x1xi8>) outs(%{{.*}} : tensor<2x4xi2>)
// CHECK:   arith.extui %{{.*}} : i8 to i32
// CHECK:   linalg.index 1
// CHECK:   arith.shrui
// CHECK:   arith.trunci %{{.*}} : i32 to i2
// CHECK: %[[W:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[GROUP]], #[[GROUP]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[Q]], %[[S]], %[[Z]] : tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xf16>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK:   %[[QF:.*]] = arith.sitofp %{{.*}} : i2 to f32
// CHECK:   %[[SF:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK:   %[[ZF:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK:   %[[M:.*]] = arith.mulf %[[SF]], %[[QF]] : f32
// CHECK:   %[[A:.*]] = arith.addf %[[M]], %[[ZF]] : f32
// CHECK:   linalg.yield %[[A]] : f32
// CHECK: %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3x2xf32>)
// CHECK: %[[Y:.*]] = linalg.matmul indexing_maps = [#[[XMAP]], #[[WMAP]], #[[YMAP]]] ins(%[[X]], %[[W]] : tensor<3x4xf32>, tensor<2x4xf32>) outs(%[[ACC]] : tensor<3x2xf32>)
// CHECK: return %[[Y]]
// UPSTREAM-LABEL: func.func @constant_matmul
// UPSTREAM: linalg.matmul
func.func @constant_matmul(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  %y = dq.matmul %x, %w : tensor<3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xf32>
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

// -----

// 3-bit fields may straddle two bytes: when K is not a multiple of 8 the
// unpack reads the byte holding the field's first bit and the byte holding
// its last bit. A lowered 3-bit weight carries its fields as sign-extended
// i8 (see @dequantize_3bit); dq.split narrows them to the logical i3.
// CHECK-DAG: #[[LO:.*]] = affine_map<(d0, d1) -> (d0, (d1 * 3) floordiv 8)>
// CHECK-DAG: #[[HI:.*]] = affine_map<(d0, d1) -> (d0, (d1 * 3 + 2) floordiv 8)>
// CHECK-LABEL: func.func @unpack_3bit
// CHECK: %[[P:.*]] = arith.constant dense_resource<q3> : tensor<1x2xi8>
// CHECK: %[[F:.*]] = linalg.generic {indexing_maps = [#[[LO]], #[[HI]], #{{.*}}], {{.*}} ins(%[[P]], %[[P]] : tensor<1x2xi8>, tensor<1x2xi8>) outs(%{{.*}} : tensor<1x5xi8>)
// CHECK:   arith.shli
// CHECK:   arith.ori
// CHECK:   arith.trunci %{{.*}} : i32 to i3
// CHECK:   arith.extsi %{{.*}} : i3 to i8
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%[[F]] : tensor<1x5xi8>) outs(%{{.*}} : tensor<1x5xi3>)
// CHECK:   arith.trunci %{{.*}} : i8 to i3
// CHECK: return %[[L]]
func.func @unpack_3bit() -> tensor<1x5xi3> {
  %w = dq.constant packed(dense_resource<q3> : tensor<1x2xi8>)
         scale(dense_resource<s3> : tensor<1x1xf32>)
         offset(dense_resource<s3> : tensor<1x1xf32>)
         : !dq.weight<[1, 5], bits = 3, group = 5, scale = f32>
  %q, %s, %z = dq.split %w : !dq.weight<[1, 5], bits = 3, group = 5, scale = f32>
  return %q : tensor<1x5xi3>
}
{-#
  dialect_resources: {
    builtin: {
      q3: "0x10000000FF07",
      s3: "0x100000000000803F"
    }
  }
#-}

// -----

// With K a multiple of 8, blocks of 8 fields fill 3 bytes exactly: the
// packed row reshapes to [K/8, 3] bytes, one generic with plain-dimension
// maps (which IREE can tile) writes [K/8, 8] fields, collapsed to [1, K].
// CHECK-LABEL: func.func @unpack_3bit_blocks
// CHECK: %[[P:.*]] = arith.constant dense_resource<q3b> : tensor<1x6xi8>
// CHECK: %[[B:.*]] = tensor.expand_shape %[[P]] {{\[\[}}0], [1, 2]] output_shape [1, 2, 3] : tensor<1x6xi8> into tensor<1x2x3xi8>
// CHECK: %[[F:.*]] = linalg.generic {{.*}} ins(%[[B]], %[[B]], %[[B]] : {{.*}}) outs(%{{.*}} : tensor<1x2x8xi8>)
// CHECK:   arith.shli %{{.*}}, %c16
// CHECK:   linalg.index 2
// CHECK:   arith.trunci %{{.*}} : i32 to i3
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[F]] {{\[\[}}0], [1, 2]] : tensor<1x2x8xi8> into tensor<1x16xi8>
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<1x16xi8>) outs(%{{.*}} : tensor<1x16xi3>)
func.func @unpack_3bit_blocks() -> tensor<1x16xi3> {
  %w = dq.constant packed(dense_resource<q3b> : tensor<1x6xi8>)
         scale(dense_resource<s3b> : tensor<1x1xf32>)
         offset(dense_resource<s3b> : tensor<1x1xf32>)
         : !dq.weight<[1, 16], bits = 3, group = 16, scale = f32>
  %q, %s, %z = dq.split %w : !dq.weight<[1, 16], bits = 3, group = 16, scale = f32>
  return %q : tensor<1x16xi3>
}
{-#
  dialect_resources: {
    builtin: {
      q3b: "0x10000000FFFFFF000000",
      s3b: "0x100000000000803F"
    }
  }
#-}

// -----

// A 3-bit weight that is only dequantized: its fields unpack to
// sign-extended i8, since stacks such as IREE reject buffers of i3.
// CHECK-LABEL: func.func @dequantize_3bit
// CHECK-NOT: xi3>
// CHECK: outs(%{{.*}} : tensor<1x1x8xi8>)
// CHECK:   arith.trunci %{{.*}} : i32 to i3
// CHECK:   arith.extsi %{{.*}} : i3 to i8
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK-NOT: xi3>
// CHECK: return
func.func @dequantize_3bit() -> tensor<1x8xf32> {
  %w = dq.constant packed(dense_resource<q3d> : tensor<1x3xi8>)
         scale(dense_resource<s3d> : tensor<1x1xf32>)
         offset(dense_resource<s3d> : tensor<1x1xf32>)
         : !dq.weight<[1, 8], bits = 3, group = 8, scale = f32>
  %f = dq.dequantize %w : !dq.weight<[1, 8], bits = 3, group = 8, scale = f32> -> tensor<1x8xf32>
  return %f : tensor<1x8xf32>
}
{-#
  dialect_resources: {
    builtin: {
      q3d: "0x10000000FFFFFF",
      s3d: "0x100000000000803F"
    }
  }
#-}

// -----

// At 8 bits the storage is the logical tensor: no unpack.
// CHECK-LABEL: func.func @unpack_8bit
// CHECK: %[[P:.*]] = arith.constant dense_resource<q8> : tensor<1x2xi8>
// CHECK-NOT: linalg.generic
// CHECK: return %[[P]]
func.func @unpack_8bit() -> tensor<1x2xi8> {
  %w = dq.constant packed(dense_resource<q8> : tensor<1x2xi8>)
         scale(dense_resource<s8> : tensor<1x1xf32>)
         offset(dense_resource<s8> : tensor<1x1xf32>)
         : !dq.weight<[1, 2], bits = 8, group = 2, scale = f32>
  %q, %s, %z = dq.split %w : !dq.weight<[1, 2], bits = 8, group = 2, scale = f32>
  return %q : tensor<1x2xi8>
}
{-#
  dialect_resources: {
    builtin: {
      q8: "0x1000000001FF",
      s8: "0x100000000000803F"
    }
  }
#-}

// -----

// Per-channel: one scale/offset column per row, read at column 0; a bf16
// result is rounded once from the f32 value.
// CHECK-DAG: #[[PC:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @per_channel_bf16
// CHECK-SAME: (%[[Q:.*]]: tensor<4x6xi4>, %[[S:.*]]: tensor<4x1xbf16>, %[[Z:.*]]: tensor<4x1xbf16>)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[PC]], #[[PC]], #{{.*}}], {{.*}} ins(%[[Q]], %[[S]], %[[Z]] : {{.*}}) outs(%{{.*}} : tensor<4x6xbf16>)
// CHECK:   arith.sitofp %{{.*}} : i4 to f32
// CHECK:   arith.extf %{{.*}} : bf16 to f32
// CHECK:   arith.addf
// CHECK:   %[[R:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK:   linalg.yield %[[R]] : bf16
func.func @per_channel_bf16(%q: tensor<4x6xi4>, %s: tensor<4x1xbf16>, %z: tensor<4x1xbf16>) -> tensor<4x6xbf16> {
  %w = dq.build %q, %s, %z : !dq.weight<[4, 6], bits = 4, group = 6, scale = bf16>
  %f = dq.dequantize %w : !dq.weight<[4, 6], bits = 4, group = 6, scale = bf16> -> tensor<4x6xbf16>
  return %f : tensor<4x6xbf16>
}

// -----

// Leading batch dims (one dynamic) are collapsed into M and expanded back;
// f16 activations accumulate in f32 and are rounded once at the end.
// CHECK-LABEL: func.func @batched_f16
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x8xf16>,
// CHECK: %[[X2:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<?x3x8xf16> into tensor<?x8xf16>
// CHECK: %[[M:.*]] = tensor.dim %[[X2]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[M]]) : tensor<?x5xf32>
// CHECK: %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x5xf32>)
// CHECK: %[[Y:.*]] = linalg.matmul {{.*}} ins(%[[X2]], %{{.*}} : tensor<?x8xf16>, tensor<5x8xf32>) outs(%[[ACC]] : tensor<?x5xf32>)
// CHECK: %[[H:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<?x5xf32>) outs(%{{.*}} : tensor<?x5xf16>)
// CHECK:   arith.truncf %{{.*}} : f32 to f16
// CHECK: %[[B:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[R:.*]] = tensor.expand_shape %[[H]] {{\[\[}}0, 1], [2]] output_shape [%[[B]], 3, 5] : tensor<?x5xf16> into tensor<?x3x5xf16>
// CHECK: return %[[R]]
func.func @batched_f16(%x: tensor<?x3x8xf16>, %q: tensor<5x8xi2>, %s: tensor<5x2xf16>, %z: tensor<5x2xf16>) -> tensor<?x3x5xf16> {
  %w = dq.build %q, %s, %z : !dq.weight<[5, 8], bits = 2, group = 4, scale = f16>
  %y = dq.matmul %x, %w : tensor<?x3x8xf16>, !dq.weight<[5, 8], bits = 2, group = 4, scale = f16> -> tensor<?x3x5xf16>
  return %y : tensor<?x3x5xf16>
}

// -----

// A vector activation is a 1-row matrix.
// CHECK-LABEL: func.func @vector
// CHECK: %[[X2:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 8] : tensor<8xf32> into tensor<1x8xf32>
// CHECK: %[[Y:.*]] = linalg.matmul {{.*}} ins(%[[X2]], %{{.*}} : tensor<1x8xf32>, tensor<5x8xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[Y]] {{\[\[}}0, 1]] : tensor<1x5xf32> into tensor<5xf32>
// CHECK: return %[[R]]
func.func @vector(%x: tensor<8xf32>, %q: tensor<5x8xi2>, %s: tensor<5x2xf16>, %z: tensor<5x2xf16>) -> tensor<5xf32> {
  %w = dq.build %q, %s, %z : !dq.weight<[5, 8], bits = 2, group = 4, scale = f16>
  %y = dq.matmul %x, %w : tensor<8xf32>, !dq.weight<[5, 8], bits = 2, group = 4, scale = f16> -> tensor<5xf32>
  return %y : tensor<5xf32>
}

// -----

// dq.split / dq.build round trips resolve through the data flow, and one
// weight's parts are materialized once for all of its uses.
// CHECK-LABEL: func.func @dataflow
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4xi8>, %[[S:.*]]: tensor<2x1xf32>, %[[Z:.*]]: tensor<2x1xf32>)
// CHECK-NOT: dq.
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%[[Q]], %[[S]], %[[Z]] :
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[Q]], %[[S]], %[[Z]] :
// CHECK: return %[[A]], %[[B]]
func.func @dataflow(%q: tensor<2x4xi8>, %s: tensor<2x1xf32>, %z: tensor<2x1xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %w = dq.build %q, %s, %z : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>
  %q2, %s2, %z2 = dq.split %w : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>
  %w2 = dq.build %q2, %s2, %z2 : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>
  %a = dq.dequantize %w2 : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32> -> tensor<2x4xf32>
  %b = dq.dequantize %w2 : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32> -> tensor<2x4xf32>
  return %a, %b : tensor<2x4xf32>, tensor<2x4xf32>
}
