func.func @build_of_split(%w: !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>)
    -> !dq.weight<[2, 8], bits = 4, group = 4, scale = f32> {
  %q, %s, %z = dq.split %w : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  %w2 = dq.build %q, %s, %z : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  return %w2 : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
}
