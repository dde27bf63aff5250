func.func @matmul_dynamic_k(%x: tensor<3x?xf32>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  %y = dq.matmul %x, %w : tensor<3x?xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xf32>
  return
}
