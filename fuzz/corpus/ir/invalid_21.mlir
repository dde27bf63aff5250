func.func @build_q_width(%q: tensor<2x4xi4>, %s: tensor<2x2xf16>, %z: tensor<2x2xf16>) {
  %w = "dq.build"(%q, %s, %z) : (tensor<2x4xi4>, tensor<2x2xf16>, tensor<2x2xf16>) -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}
