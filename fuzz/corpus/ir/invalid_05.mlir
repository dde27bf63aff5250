func.func @group_too_large(%w: !dq.weight<[4, 8], bits = 2, group = 16, scale = f16>)
