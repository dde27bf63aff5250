func.func @dequantize_int_result(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  %f = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<2x4xi32>
  return
}
