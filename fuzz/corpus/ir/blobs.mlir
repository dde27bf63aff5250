func.func @f(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  %d = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<2x4xf32>
  %y = dq.matmul %x, %w : tensor<2x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x01000000E41B",
      s: "0x02000000003C003C003C003C",
      z: "0x020000000000000000000000"
    }
  }
#-}
