func.func @build_custom_form_mismatch(%q: tensor<2x4xi4>, %s: tensor<2x2xf16>, %z: tensor<2x2xf16>) {
  %w = dq.build %q, %s, %z : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}
