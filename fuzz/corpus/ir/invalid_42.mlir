func.func @split_custom_not_weight(%x: tensor<2x4xf32>) {
  %q, %s, %z = dq.split %x : tensor<2x4xf32>
  return
}
