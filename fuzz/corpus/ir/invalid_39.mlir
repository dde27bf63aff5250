func.func @observe_scalar(%x: tensor<f32>) {
  %y = dq.observe %x layer "fc" : tensor<f32>
  return
}
