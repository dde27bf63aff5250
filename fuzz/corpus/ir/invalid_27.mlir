func.func @split_operand(%x: tensor<2x4xf32>) {
  %q, %s, %z = "dq.split"(%x) : (tensor<2x4xf32>) -> (tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xf16>)
  return
}
