func.func @matmul_int_activation(%x: tensor<3x4xi8>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  %y = dq.matmul %x, %w : tensor<3x4xi8>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xi8>
  return
}
