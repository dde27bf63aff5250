func.func @scale_element_type() {
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf32>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}
