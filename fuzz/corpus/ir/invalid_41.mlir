func.func @observe_result_type(%x: tensor<3x4xf32>) {
  %y = "dq.observe"(%x) <{layer = "fc"}> : (tensor<3x4xf32>) -> tensor<3x4xf16>
  return
}
