func.func @zero_rows(%w: !dq.weight<[0, 8], bits = 2, group = 8, scale = f16>)
