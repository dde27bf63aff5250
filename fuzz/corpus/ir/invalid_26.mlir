func.func @split_result_types(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  %q, %s, %z = "dq.split"(%w) : (!dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> (tensor<2x4xi8>, tensor<2x2xf16>, tensor<2x2xf16>)
  return
}
