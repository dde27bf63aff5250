func.func @build_scale_groups(%q: tensor<2x4xi2>, %s: tensor<2x4xf16>, %z: tensor<2x2xf16>) {
  %w = "dq.build"(%q, %s, %z) : (tensor<2x4xi2>, tensor<2x4xf16>, tensor<2x2xf16>) -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}
