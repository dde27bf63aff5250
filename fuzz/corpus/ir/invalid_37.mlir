func.func @matmul_weight_operand(%x: tensor<3x4xf32>, %w: tensor<2x4xf32>) {
  %y = "dq.matmul"(%x, %w) : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return
}
