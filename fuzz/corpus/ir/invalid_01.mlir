func.func @negative_cols(%w: !dq.weight<[4, -1], bits = 2, group = 8, scale = f16>)
