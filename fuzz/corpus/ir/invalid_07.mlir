func.func @scale_f64(%w: !dq.weight<[4, 8], bits = 2, group = 8, scale = f64>)
