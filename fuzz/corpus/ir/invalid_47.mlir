func.func @build_n16k4(%q: tensor<2x4xi2>, %s: tensor<2x2xf16>, %z: tensor<2x2xf16>) {
  %w = dq.build %q, %s, %z : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16, layout = #dq_cpu.n16k4>
  return
}
