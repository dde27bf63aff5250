// RUN: dq-opt %s | dq-opt | FileCheck %s
// RUN: dq-opt %s --mlir-print-op-generic | dq-opt | FileCheck %s
// RUN: dq-opt %s -emit-bytecode | dq-opt | FileCheck %s

// Round trip of every dq op and of the weight type's parameters.

// CHECK-LABEL: func.func @types
// CHECK-SAME: !dq.weight<[64, 128], bits = 2, group = 32, scale = f16>
// CHECK-SAME: !dq.weight<[3, 24], bits = 3, group = 8, scale = bf16>
// CHECK-SAME: !dq.weight<[5, 7], bits = 4, group = 7, scale = f32>
// CHECK-SAME: !dq.weight<[1, 1], bits = 8, group = 1, scale = f16>
func.func @types(%a: !dq.weight<[64, 128], bits = 2, group = 32, scale = f16>,
                 %b: !dq.weight<[3, 24], bits = 3, group = 8, scale = bf16>,
                 %c: !dq.weight<[5, 7], bits = 4, group = 7, scale = f32>,
                 %d: !dq.weight<[1, 1], bits = 8, group = 1, scale = f16, layout = #dq.row_major>) {
  return
}

// CHECK-LABEL: func.func @constant
// CHECK: %[[W:.*]] = dq.constant packed(dense_resource<fc1_q> : tensor<2x1xi8>) scale(dense_resource<fc1_s> : tensor<2x2xf16>) offset(dense_resource<fc1_z> : tensor<2x2xf16>) : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
// CHECK: return %[[W]]
func.func @constant() -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> {
  %w = dq.constant packed(dense_resource<fc1_q> : tensor<2x1xi8>)
         scale(dense_resource<fc1_s> : tensor<2x2xf16>)
         offset(dense_resource<fc1_z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
}

// The n16k4 CPU layout: 20 rows make 2 tiles of 16; 2-bit groups of 32
// columns are two 64-byte chunks per tile.
// CHECK-LABEL: func.func @constant_n16k4
// CHECK: dq.constant packed(dense_resource<q> : tensor<2x256xi8>) scale(dense_resource<s> : tensor<2x2x16xf16>) offset(dense_resource<z> : tensor<2x2x16xf16>) : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
func.func @constant_n16k4() -> !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> {
  %w = dq.constant packed(dense_resource<q> : tensor<2x256xi8>)
         scale(dense_resource<s> : tensor<2x2x16xf16>)
         offset(dense_resource<z> : tensor<2x2x16xf16>)
         : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
  return %w : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
}

// CHECK-LABEL: func.func @build_split
// CHECK-SAME: (%[[Q:.*]]: tensor<3x24xi3>, %[[S:.*]]: tensor<3x3xbf16>, %[[Z:.*]]: tensor<3x3xbf16>)
// CHECK: %[[W:.*]] = dq.build %[[Q]], %[[S]], %[[Z]] : !dq.weight<[3, 24], bits = 3, group = 8, scale = bf16>
// CHECK: %{{.*}}, %{{.*}}, %{{.*}} = dq.split %[[W]] : !dq.weight<[3, 24], bits = 3, group = 8, scale = bf16>
func.func @build_split(%q: tensor<3x24xi3>, %s: tensor<3x3xbf16>, %z: tensor<3x3xbf16>)
    -> (tensor<3x24xi3>, tensor<3x3xbf16>, tensor<3x3xbf16>) {
  %w = dq.build %q, %s, %z : !dq.weight<[3, 24], bits = 3, group = 8, scale = bf16>
  %q2, %s2, %z2 = dq.split %w : !dq.weight<[3, 24], bits = 3, group = 8, scale = bf16>
  return %q2, %s2, %z2 : tensor<3x24xi3>, tensor<3x3xbf16>, tensor<3x3xbf16>
}

// CHECK-LABEL: func.func @dequantize
// CHECK: dq.dequantize %{{.*}} : !dq.weight<[5, 7], bits = 4, group = 7, scale = f32> -> tensor<5x7xf16>
// CHECK: dq.dequantize %{{.*}} : !dq.weight<[5, 7], bits = 4, group = 7, scale = f32> -> tensor<5x7xbf16>
func.func @dequantize(%w: !dq.weight<[5, 7], bits = 4, group = 7, scale = f32>)
    -> (tensor<5x7xf16>, tensor<5x7xbf16>) {
  %a = dq.dequantize %w : !dq.weight<[5, 7], bits = 4, group = 7, scale = f32> -> tensor<5x7xf16>
  %b = dq.dequantize %w : !dq.weight<[5, 7], bits = 4, group = 7, scale = f32> -> tensor<5x7xbf16>
  return %a, %b : tensor<5x7xf16>, tensor<5x7xbf16>
}

// CHECK-LABEL: func.func @matmul
// CHECK: dq.matmul %{{.*}}, %{{.*}} : tensor<128xf32>, !dq.weight<[64, 128], bits = 2, group = 32, scale = f16> -> tensor<64xf32>
// CHECK: dq.matmul %{{.*}}, %{{.*}} : tensor<?x3x128xf16>, !dq.weight<[64, 128], bits = 2, group = 32, scale = f16> -> tensor<?x3x64xf16>
// CHECK: dq.matmul %{{.*}}, %{{.*}} : tensor<4x128xbf16>, !dq.weight<[64, 128], bits = 2, group = 32, scale = f16> -> tensor<4x64xbf16>
func.func @matmul(%w: !dq.weight<[64, 128], bits = 2, group = 32, scale = f16>,
                  %v: tensor<128xf32>, %x: tensor<?x3x128xf16>, %b: tensor<4x128xbf16>)
    -> (tensor<64xf32>, tensor<?x3x64xf16>, tensor<4x64xbf16>) {
  %0 = dq.matmul %v, %w : tensor<128xf32>, !dq.weight<[64, 128], bits = 2, group = 32, scale = f16> -> tensor<64xf32>
  %1 = dq.matmul %x, %w : tensor<?x3x128xf16>, !dq.weight<[64, 128], bits = 2, group = 32, scale = f16> -> tensor<?x3x64xf16>
  %2 = dq.matmul %b, %w : tensor<4x128xbf16>, !dq.weight<[64, 128], bits = 2, group = 32, scale = f16> -> tensor<4x64xbf16>
  return %0, %1, %2 : tensor<64xf32>, tensor<?x3x64xf16>, tensor<4x64xbf16>
}

// CHECK-LABEL: func.func @observe
// CHECK: dq.observe %{{.*}} layer "blocks.0.fc1" : tensor<?x128xf32>
func.func @observe(%x: tensor<?x128xf32>) -> tensor<?x128xf32> {
  %0 = dq.observe %x layer "blocks.0.fc1" : tensor<?x128xf32>
  return %0 : tensor<?x128xf32>
}

{-#
  dialect_resources: {
    builtin: {
      fc1_q: "0x100000004E1B",
      fc1_s: "0x10000000003C0040003C003C",
      fc1_z: "0x1000000000000000003C0000"
    }
  }
#-}
