func.func @constant() -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> {
  %w = dq.constant packed(dense_resource<fc1_q> : tensor<2x1xi8>)
         scale(dense_resource<fc1_s> : tensor<2x2xf16>)
         offset(dense_resource<fc1_z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
}
