func.func @inline_offset() {
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense<0.0> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}
