func.func @dead_code(%w: !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>,
                     %x: tensor<3x8xf32>) {
  %0 = dq.dequantize %w : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32> -> tensor<2x8xf32>
  %1 = dq.matmul %x, %w : tensor<3x8xf32>, !dq.weight<[2, 8], bits = 4, group = 4, scale = f32> -> tensor<3x2xf32>
  %2 = dq.observe %x layer "fc" : tensor<3x8xf32>
  return
}
