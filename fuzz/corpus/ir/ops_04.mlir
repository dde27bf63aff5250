func.func @dequantize(%w: !dq.weight<[5, 7], bits = 4, group = 7, scale = f32>)
    -> (tensor<5x7xf16>, tensor<5x7xbf16>) {
  %a = dq.dequantize %w : !dq.weight<[5, 7], bits = 4, group = 7, scale = f32> -> tensor<5x7xf16>
  %b = dq.dequantize %w : !dq.weight<[5, 7], bits = 4, group = 7, scale = f32> -> tensor<5x7xbf16>
  return %a, %b : tensor<5x7xf16>, tensor<5x7xbf16>
}
