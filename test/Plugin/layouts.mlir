// The backends' layout dialects come with DQPlugin's dialect: upstream
// mlir-opt parses, verifies and prints weights packed for either backend.
// RUN: mlir-opt --load-dialect-plugin=%dq_plugin %s | FileCheck %s

// CHECK-LABEL: func.func @cpu
// CHECK-SAME: layout = #dq_cpu.n16k4
func.func @cpu(%w: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) {
  return
}

// CHECK-LABEL: func.func @gpu
// CHECK-SAME: layout = #dq_gpu.chunked
func.func @gpu(%w: !dq.weight<[5, 100], bits = 3, group = 100, scale = bf16, layout = #dq_gpu.chunked>) {
  return
}
