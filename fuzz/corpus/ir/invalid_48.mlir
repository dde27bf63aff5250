func.func @split_n16k4(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16, layout = #dq_cpu.n16k4>) {
  %q, %s, %z = dq.split %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16, layout = #dq_cpu.n16k4>
  return
}
