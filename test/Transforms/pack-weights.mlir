// RUN: dq-opt %s --dq-pack-weights --split-input-file | FileCheck %s

// One row of 16 two-bit columns, Q = [-2, -1, 0, 1, 0 x 12]: row_major byte
// 0 is 0x4E (fields 10, 11, 00, 01 from bit 0 up). In n16k4 the offset-binary
// values u = Q + 2 sit in field j of byte t for column 4j + t, so bytes 0-3
// are 0xA8 + t (u = t in field 0, u = 2 in fields 1-3); the 15 rows past N
// are zero. Scale and offset become [1 tile, 1 group, 16 rows], zero-padded.
// CHECK-LABEL: func.func @hand_example
// CHECK: dq.constant packed(dense_resource<q_n16k4> : tensor<1x64xi8>)
// CHECK-SAME: scale(dense_resource<s_n16k4> : tensor<1x1x16xf16>)
// CHECK-SAME: offset(dense_resource<z_n16k4> : tensor<1x1x16xf16>)
// CHECK-SAME: : !dq.weight<[1, 16], bits = 2, group = 16, scale = f16, layout = #dq_cpu.n16k4>
// CHECK: dq.matmul
// CHECK-SAME: layout = #dq_cpu.n16k4
// CHECK: q_n16k4: "0x{{[0-9A-F]+}}A8A9AAAB000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
// CHECK: s_n16k4: "0x{{[0-9A-F]+}}003C000000000000000000000000000000000000000000000000000000000000"
// CHECK: z_n16k4: "0x{{[0-9A-F]+}}00BC000000000000000000000000000000000000000000000000000000000000"
func.func @hand_example(%x: tensor<2x16xf32>) -> tensor<2x1xf32> {
  %w = dq.constant packed(dense_resource<q> : tensor<1x4xi8>)
         scale(dense_resource<s> : tensor<1x1xf16>)
         offset(dense_resource<z> : tensor<1x1xf16>)
         : !dq.weight<[1, 16], bits = 2, group = 16, scale = f16>
  %y = dq.matmul %x, %w : tensor<2x16xf32>, !dq.weight<[1, 16], bits = 2, group = 16, scale = f16> -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x010000004E000000",
      s: "0x10000000003C",
      z: "0x1000000000BC"
    }
  }
#-}

// -----

// A weight that is also dequantized keeps its interchange layout.
// CHECK-LABEL: func.func @kept
// CHECK: dq.constant packed(dense_resource<q> : tensor<1x4xi8>)
// CHECK-NOT: n16k4
func.func @kept(%x: tensor<2x16xf32>) -> (tensor<2x1xf32>, tensor<1x16xf32>) {
  %w = dq.constant packed(dense_resource<q> : tensor<1x4xi8>)
         scale(dense_resource<s> : tensor<1x1xf16>)
         offset(dense_resource<z> : tensor<1x1xf16>)
         : !dq.weight<[1, 16], bits = 2, group = 16, scale = f16>
  %y = dq.matmul %x, %w : tensor<2x16xf32>, !dq.weight<[1, 16], bits = 2, group = 16, scale = f16> -> tensor<2x1xf32>
  %d = dq.dequantize %w : !dq.weight<[1, 16], bits = 2, group = 16, scale = f16> -> tensor<1x16xf32>
  return %y, %d : tensor<2x1xf32>, tensor<1x16xf32>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x010000004E000000",
      s: "0x10000000003C",
      z: "0x1000000000BC"
    }
  }
#-}
