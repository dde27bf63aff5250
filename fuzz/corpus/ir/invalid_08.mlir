func.func @scale_int(%w: !dq.weight<[4, 8], bits = 2, group = 8, scale = i8>)
