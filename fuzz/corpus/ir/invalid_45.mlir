func.func @gpu_chunked_packed_shape() {
  %w = dq.constant packed(dense_resource<q> : tensor<5x38xi8>)
         scale(dense_resource<s> : tensor<5x1xbf16>)
         offset(dense_resource<z> : tensor<5x1xbf16>)
         : !dq.weight<[5, 100], bits = 3, group = 100, scale = bf16, layout = #dq_gpu.chunked>
  return
}
