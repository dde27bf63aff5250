func.func @matmul_result_element(%x: tensor<3x4xf16>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  %y = dq.matmul %x, %w : tensor<3x4xf16>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xf32>
  return
}
