func.func @types(%a: !dq.weight<[64, 128], bits = 2, group = 32, scale = f16>,
                 %b: !dq.weight<[3, 24], bits = 3, group = 8, scale = bf16>,
                 %c: !dq.weight<[5, 7], bits = 4, group = 7, scale = f32>,
                 %d: !dq.weight<[1, 1], bits = 8, group = 1, scale = f16, layout = #dq.row_major>) {
  return
}
