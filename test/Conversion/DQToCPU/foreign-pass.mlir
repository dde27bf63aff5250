// RUN: dq-opt %s --test-dq-to-cpu-in-foreign-pass | FileCheck %s
// RUN: dq-opt %s --test-dq-to-cpu-in-foreign-pass --convert-elementwise-to-linalg --one-shot-bufferize=bufferize-function-boundaries --dq-build-cpu-kernels | FileCheck %s --check-prefix=CALLS

// Another stack's conversion (its own target, type converter, func patterns
// and arith pattern) runs dq's CPU patterns and the portable ones in one
// full conversion: the n16k4 weight crosses the call as its stored parts
// and its matmul becomes a dq.kernel, the row_major weight takes the
// portable lowering, arith.negf the stack's pattern. The stack then
// bufferizes, and --dq-build-cpu-kernels writes the kernel and the calls.

// CHECK-LABEL: func.func private @apply
// CHECK-SAME: (%[[X:.*]]: tensor<3x64xf32>, %[[Q:.*]]: tensor<2x256xi8>, %[[S:.*]]: tensor<2x2x16xf16>, %[[Z:.*]]: tensor<2x2x16xf16>) -> tensor<3x20xf32>
// CHECK: %[[M1:.*]] = arith.constant dense<-1.000000e+00> : tensor<3x64xf32>
// CHECK: %[[N:.*]] = arith.mulf %[[X]], %[[M1]] : tensor<3x64xf32>
// CHECK: %[[Y:.*]] = dq.kernel @__dq_matmul_w2g32_20x64_f16_xf32_f32_generic_mb8_par #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = false, m_block = 8, parallel = true> ins(%[[N]], %[[Q]], %[[S]], %[[Z]] : tensor<3x64xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>) outs(%{{.*}} : tensor<3x32xf32>)
// CHECK: tensor.extract_slice %[[Y]][0, 0] [3, 20] [1, 1]
// CALLS-LABEL: func.func private @apply
// CALLS: call @__dq_matmul_w2g32_20x64_f16_xf32_f32_generic_mb8_par(
func.func private @apply(%x: tensor<3x64xf32>, %w: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) -> tensor<3x20xf32> {
  %n = arith.negf %x : tensor<3x64xf32>
  %y = dq.matmul %n, %w : tensor<3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<3x20xf32>
  return %y : tensor<3x20xf32>
}

// CHECK-LABEL: func.func private @portable
// CHECK-SAME: (%{{.*}}: tensor<3x4xf32>, %{{.*}}: tensor<2x4xi2>, %{{.*}}: tensor<2x2xf16>, %{{.*}}: tensor<2x2xf16>)
// CHECK: linalg.matmul
func.func private @portable(%x: tensor<3x4xf32>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> tensor<3x2xf32> {
  %y = dq.matmul %x, %w : tensor<3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// CHECK-LABEL: func.func @main
// CHECK-DAG: %[[Q:.*]] = arith.constant dense_resource<q> : tensor<2x256xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense_resource<s> : tensor<2x2x16xf16>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense_resource<z> : tensor<2x2x16xf16>
// CHECK: call @apply(%{{.*}}, %[[Q]], %[[S]], %[[Z]])
// CHECK-NOT: dq.
// CALLS-LABEL: func.func @main
// CALLS: call @apply(
// CALLS: func.func private @__dq_matmul_w2g32_20x64_f16_xf32_f32_generic_mb8_par(
func.func @main(%x: tensor<3x64xf32>) -> tensor<3x20xf32> {
  %w = dq.constant packed(dense_resource<q> : tensor<2x256xi8>)
         scale(dense_resource<s> : tensor<2x2x16xf16>)
         offset(dense_resource<z> : tensor<2x2x16xf16>)
         : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
  %y = func.call @apply(%x, %w) : (tensor<3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) -> tensor<3x20xf32>
  return %y : tensor<3x20xf32>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x010000001B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B",
      s: "0x02000000003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C",
      z: "0x020000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    }
  }
#-}
