func.func @observe_empty_name(%x: tensor<3x4xf32>) {
  %y = dq.observe %x layer "" : tensor<3x4xf32>
  return
}
