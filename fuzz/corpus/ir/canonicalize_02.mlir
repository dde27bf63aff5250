func.func @build_of_mixed_splits(%a: !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>,
                                 %b: !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>)
    -> !dq.weight<[2, 8], bits = 4, group = 4, scale = f32> {
  %qa, %sa, %za = dq.split %a : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  %qb, %sb, %zb = dq.split %b : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  %w = dq.build %qa, %sb, %za : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
  return %w : !dq.weight<[2, 8], bits = 4, group = 4, scale = f32>
}
