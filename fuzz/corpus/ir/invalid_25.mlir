func.func @build_result_not_weight(%q: tensor<2x4xi2>, %s: tensor<2x2xf16>, %z: tensor<2x2xf16>) {
  %w = "dq.build"(%q, %s, %z) : (tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xf16>) -> tensor<2x4xf32>
  return
}
