func.func @matmul_scalar(%x: tensor<f32>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  %y = dq.matmul %x, %w : tensor<f32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<f32>
  return
}
