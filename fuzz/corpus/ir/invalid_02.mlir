func.func @bits5(%w: !dq.weight<[4, 8], bits = 5, group = 8, scale = f16>)
