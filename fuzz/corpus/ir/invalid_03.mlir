func.func @bits1(%w: !dq.weight<[4, 8], bits = 1, group = 8, scale = f16>)
