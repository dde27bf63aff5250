// RUN: dq-opt %s --dq-import-quant --split-input-file | FileCheck %s
// RUN: dq-opt %s --dq-import-quant="fuse-matmuls=false" --split-input-file | FileCheck %s --check-prefix=NOFUSE

// A sub-channel i2 weight (blocks of 1 row and 2 columns): a dq.constant with
// z = -zp * s, named after the integer constant, and a dq.dequantize.

// CHECK-LABEL: func.func @sub_channel
// CHECK: %[[W:.*]] = dq.constant packed(dense_resource<fc1_q> : tensor<2x1xi8>) scale(dense_resource<fc1_s> : tensor<2x2xf32>) offset(dense_resource<fc1_z> : tensor<2x2xf32>) : !dq.weight<[2, 4], bits = 2, group = 2, scale = f32>
// CHECK: %[[D:.*]] = dq.dequantize %[[W]] : !dq.weight<[2, 4], bits = 2, group = 2, scale = f32> -> tensor<2x4xf32>
// CHECK: return %[[D]]
// CHECK: fc1_q: "0x100000004993"
// CHECK: fc1_s: "0x100000000000003F0000803E0000803F00000040"
// CHECK: fc1_z: "0x10000000000000BF0000003F00000000000000C0"
func.func @sub_channel() -> tensor<2x4xf32> {
  %q = arith.constant dense<[[1, -2, 0, 1], [-1, 0, 1, -2]]> : tensor<2x4xi2> loc("fc1")
  %t = quant.scast %q : tensor<2x4xi2> to tensor<2x4x!quant.uniform<i2:f32:{0:1, 1:2}, {{0.5:1, 0.25:-2}, {1.0, 2.0:1}}>>
  %d = quant.dcast %t : tensor<2x4x!quant.uniform<i2:f32:{0:1, 1:2}, {{0.5:1, 0.25:-2}, {1.0, 2.0:1}}>> to tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

// Per-axis along the rows is per-channel (group = K). Unnamed constants get
// the blob names quant_weight_*.

// CHECK-LABEL: func.func @per_axis
// CHECK: dq.constant packed(dense_resource<quant_weight_q> : tensor<2x2xi8>) scale(dense_resource<quant_weight_s> : tensor<2x1xf32>) offset(dense_resource<quant_weight_z> : tensor<2x1xf32>) : !dq.weight<[2, 4], bits = 4, group = 4, scale = f32>
// CHECK: quant_weight_s: "0x100000000000003F0000803E"
// CHECK: quant_weight_z: "0x10000000000080BF00000040"
func.func @per_axis() -> tensor<2x4xf32> {
  %q = arith.constant dense<[[7, -8, 0, 1], [2, 3, -1, -2]]> : tensor<2x4xi4>
  %t = quant.scast %q : tensor<2x4xi4> to tensor<2x4x!quant.uniform<i4:f32:0, {0.5:2, 0.25:-8}>>
  %d = quant.dcast %t : tensor<2x4x!quant.uniform<i4:f32:0, {0.5:2, 0.25:-8}>> to tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

// i8 storage restricted to [-8, 7] is a 4-bit dq weight.

// CHECK-LABEL: func.func @narrow_i8
// CHECK: dq.constant {{.*}} : !dq.weight<[1, 4], bits = 4, group = 4, scale = f32>
func.func @narrow_i8() -> tensor<1x4xf32> {
  %q = arith.constant dense<[[7, -8, 0, 1]]> : tensor<1x4xi8>
  %t = quant.scast %q : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8<-8:7>:f32:{0:1, 1:4}, {{0.5:100}}>>
  %d = quant.dcast %t : tensor<1x4x!quant.uniform<i8<-8:7>:f32:{0:1, 1:4}, {{0.5:100}}>> to tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}

// -----

// The torch Linear pattern: a matmul that reads the weight transposed into a
// zero fill becomes dq.matmul; a matmul that reads it as [K, N] does not.

// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[X2:.*]]: tensor<3x2xf32>)
// CHECK: %[[W:.*]] = dq.constant
// CHECK: %[[D:.*]] = dq.dequantize %[[W]]
// CHECK: %[[Y:.*]] = dq.matmul %[[X]], %[[W]] : tensor<3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f32> -> tensor<3x2xf32>
// CHECK: %[[Z:.*]] = linalg.matmul ins(%[[X2]], %[[D]] : tensor<3x2xf32>, tensor<2x4xf32>)
// CHECK: return %[[Y]], %[[Z]]
// NOFUSE-LABEL: func.func @linear
// NOFUSE-NOT: dq.matmul
// NOFUSE: linalg.matmul indexing_maps
#xmap = affine_map<(m, n, k) -> (m, k)>
#wmap = affine_map<(m, n, k) -> (n, k)>
#ymap = affine_map<(m, n, k) -> (m, n)>
func.func @linear(%x: tensor<3x4xf32>, %x2: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x4xf32>) {
  %q = arith.constant dense<[[1, -2, 0, 1], [-1, 0, 1, -2]]> : tensor<2x4xi2>
  %t = quant.scast %q : tensor<2x4xi2> to tensor<2x4x!quant.uniform<i2:f32:{0:1, 1:2}, {{0.5:1, 0.25:-2}, {1.0, 2.0:1}}>>
  %w = quant.dcast %t : tensor<2x4x!quant.uniform<i2:f32:{0:1, 1:2}, {{0.5:1, 0.25:-2}, {1.0, 2.0:1}}>> to tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul indexing_maps = [#xmap, #wmap, #ymap] ins(%x, %w : tensor<3x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<3x2xf32>) -> tensor<3x2xf32>
  %e2 = tensor.empty() : tensor<3x4xf32>
  %acc2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x4xf32>) -> tensor<3x4xf32>
  %z = linalg.matmul ins(%x2, %w : tensor<3x2xf32>, tensor<2x4xf32>) outs(%acc2 : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y, %z : tensor<3x2xf32>, tensor<3x4xf32>
}

// -----

// When the matmul was the weight's only user, the dequantization and the
// zero fill go with it.

// CHECK-LABEL: func.func @linear_only
// CHECK-NOT: dq.dequantize
// CHECK: %[[W:.*]] = dq.constant
// CHECK-NEXT: %[[Y:.*]] = dq.matmul %{{.*}}, %[[W]]
// CHECK-NEXT: return %[[Y]]
#xmap = affine_map<(m, n, k) -> (m, k)>
#wmap = affine_map<(m, n, k) -> (n, k)>
#ymap = affine_map<(m, n, k) -> (m, n)>
func.func @linear_only(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %zero = arith.constant 0.0 : f32
  %q = arith.constant dense<[[1, -2, 0, 1], [-1, 0, 1, -2]]> : tensor<2x4xi2>
  %t = quant.scast %q : tensor<2x4xi2> to tensor<2x4x!quant.uniform<i2:f32:{0:1, 1:2}, {{0.5:1, 0.25:-2}, {1.0, 2.0:1}}>>
  %w = quant.dcast %t : tensor<2x4x!quant.uniform<i2:f32:{0:1, 1:2}, {{0.5:1, 0.25:-2}, {1.0, 2.0:1}}>> to tensor<2x4xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul indexing_maps = [#xmap, #wmap, #ymap] ins(%x, %w : tensor<3x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
