func.func @not_a_layout(%w: !dq.weight<[4, 8], bits = 2, group = 8, scale = f16, layout = unit>)
