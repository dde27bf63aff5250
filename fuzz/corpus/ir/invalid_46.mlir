func.func @gpu_chunked_scale_shape() {
  %w = dq.constant packed(dense_resource<q> : tensor<4x32xi8>)
         scale(dense_resource<s> : tensor<4x2xf16>)
         offset(dense_resource<z> : tensor<1x2x16xf16>)
         : !dq.weight<[4, 128], bits = 2, group = 64, scale = f16, layout = #dq_gpu.chunked>
  return
}
