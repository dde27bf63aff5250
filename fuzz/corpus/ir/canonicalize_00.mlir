func.func @split_of_build(%q: tensor<2x8xi4>, %s: tensor<2x2xf32>, %z: tensor<2x2xf32>)
    -> (tensor<2x8xi4>, tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = dq.build %q, %s, %z : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  %q2, %s2, %z2 = dq.split %w : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  return %q2, %s2, %z2 : tensor<2x8xi4>, tensor<2x2xf32>, tensor<2x2xf32>
}
