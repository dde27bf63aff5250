func.func @observe_int(%x: tensor<3x4xi32>) {
  %y = dq.observe %x layer "fc" : tensor<3x4xi32>
  return
}
