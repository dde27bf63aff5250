func.func @packed_3bit_rounds_up() {
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x1xf16>)
         offset(dense_resource<z> : tensor<2x1xf16>)
         : !dq.weight<[2, 5], bits = 3, group = 5, scale = f16>
  return
}
