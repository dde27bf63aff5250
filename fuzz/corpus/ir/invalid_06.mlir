func.func @group_zero(%w: !dq.weight<[4, 8], bits = 2, group = 0, scale = f16>)
