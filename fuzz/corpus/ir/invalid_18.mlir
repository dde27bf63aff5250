func.func @packed_blob_size() {
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x100000004E1B00",
      s: "0x10000000003C0040003C003C",
      z: "0x1000000000000000003C0000"
    }
  }
#-}
