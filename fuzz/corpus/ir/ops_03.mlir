func.func @build_split(%q: tensor<3x24xi3>, %s: tensor<3x3xbf16>, %z: tensor<3x3xbf16>)
    -> (tensor<3x24xi3>, tensor<3x3xbf16>, tensor<3x3xbf16>) {
  %w = dq.build %q, %s, %z : !dq.weight<[3, 24], bits = 3, group = 8, scale = bf16>
  %q2, %s2, %z2 = dq.split %w : !dq.weight<[3, 24], bits = 3, group = 8, scale = bf16>
  return %q2, %s2, %z2 : tensor<3x24xi3>, tensor<3x3xbf16>, tensor<3x3xbf16>
}
