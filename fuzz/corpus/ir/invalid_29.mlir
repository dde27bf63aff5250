func.func @dequantize_shape(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  %f = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<4x2xf32>
  return
}
