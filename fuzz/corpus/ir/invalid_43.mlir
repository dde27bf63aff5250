func.func @n16k4_packed_shape() {
  %w = dq.constant packed(dense_resource<q> : tensor<20x4xi8>)
         scale(dense_resource<s> : tensor<2x2x16xf16>)
         offset(dense_resource<z> : tensor<2x2x16xf16>)
         : !dq.weight<[20, 16], bits = 2, group = 8, scale = f16, layout = #dq_cpu.n16k4>
  return
}
