// RUN: dq-opt %s --dq-pack-weights=layout=gpu_chunked | FileCheck %s

// One row of 16 two-bit columns, Q = [-2, -1, 0, 1, 0 x 12] (row_major byte
// 0 is 0x4E). In gpu_chunked the offset-binary values u = Q + 2 fill word 0
// of a 64-column chunk from bit 0 up, two bits per column: byte 0 holds
// u = 0, 1, 2, 3 (0xE4), bytes 1-3 hold u = 2 four times (0xAA); the 48
// padding columns of the group are zero. Scale and offset keep their
// row-major [N, K/group] form.
// CHECK-LABEL: func.func @hand_example
// CHECK: dq.constant packed(dense_resource<q_gpu_chunked> : tensor<1x16xi8>)
// CHECK-SAME: scale(dense_resource<s_gpu_chunked> : tensor<1x1xf16>)
// CHECK-SAME: offset(dense_resource<z_gpu_chunked> : tensor<1x1xf16>)
// CHECK-SAME: : !dq.weight<[1, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>
// CHECK: dq.matmul
// CHECK-SAME: layout = #dq_gpu.chunked
// CHECK: q_gpu_chunked: "0x{{[0-9A-F]+}}E4AAAAAA000000000000000000000000"
// CHECK: s_gpu_chunked: "0x{{[0-9A-F]+}}003C"
// CHECK: z_gpu_chunked: "0x{{[0-9A-F]+}}00BC"
func.func @hand_example(%x: tensor<2x16xf16>) -> tensor<2x1xf16> {
  %w = dq.constant packed(dense_resource<q> : tensor<1x4xi8>)
         scale(dense_resource<s> : tensor<1x1xf16>)
         offset(dense_resource<z> : tensor<1x1xf16>)
         : !dq.weight<[1, 16], bits = 2, group = 16, scale = f16>
  %y = dq.matmul %x, %w : tensor<2x16xf16>, !dq.weight<[1, 16], bits = 2, group = 16, scale = f16> -> tensor<2x1xf16>
  return %y : tensor<2x1xf16>
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
