func.func @constant_n16k4() -> !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> {
  %w = dq.constant packed(dense_resource<q> : tensor<2x256xi8>)
         scale(dense_resource<s> : tensor<2x2x16xf16>)
         offset(dense_resource<z> : tensor<2x2x16xf16>)
         : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
  return %w : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
}
