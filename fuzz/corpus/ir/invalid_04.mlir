func.func @group_not_dividing(%w: !dq.weight<[4, 8], bits = 2, group = 3, scale = f16>)
