func.func @matmul_result_n(%x: tensor<3x4xf32>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  %y = dq.matmul %x, %w : tensor<3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x4xf32>
  return
}
