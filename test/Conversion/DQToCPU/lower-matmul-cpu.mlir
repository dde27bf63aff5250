// RUN: dq-opt %s --dq-pack-weights --dq-lower-matmul-cpu="target=avx512" | FileCheck %s
// RUN: dq-opt %s --dq-pack-weights --dq-lower-matmul-cpu="target=avx2 activations=int8 m-block=4 parallel=false" | FileCheck %s --check-prefix=OPTS
// RUN: not dq-opt %s --dq-lower-matmul-cpu="target=sse9" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not dq-opt %s --dq-lower-matmul-cpu="activations=int4" 2>&1 | FileCheck %s --check-prefix=ACT
// RUN: not dq-opt %s --dq-lower-matmul-cpu="m-block=3" 2>&1 | FileCheck %s --check-prefix=MBLOCK

// The call site: the activation's batch dims collapse to M, the n16k4
// constant becomes its three stored blobs, and a dq.kernel with a typed
// #dq_cpu.matmul config writes a new [M, tiles*16] tensor, sliced to N = 20.
// Both f32 matmuls call one kernel (same weight type and options); the f16
// activation gets its own. The kernels are generated after bufferization
// (--dq-build-cpu-kernels).

// CHECK-LABEL: func.func @two_matmuls
// CHECK-DAG: %[[Q:.*]] = arith.constant dense_resource<q_n16k4> : tensor<2x256xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense_resource<s_n16k4> : tensor<2x2x16xf16>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense_resource<z_n16k4> : tensor<2x2x16xf16>
// CHECK: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x3x64xf32> into tensor<6x64xf32>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<6x32xf32>
// CHECK: %[[Y:.*]] = dq.kernel @[[K:__dq_matmul_w2g32_20x64_f16_xf32_f32_avx512_mb8_par]] #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true> ins(%[[X]], %[[Q]], %[[S]], %[[Z]] : tensor<6x64xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>) outs(%[[E]] : tensor<6x32xf32>) -> tensor<6x32xf32>
// CHECK: %[[SL:.*]] = tensor.extract_slice %[[Y]][0, 0] [6, 20] [1, 1]
// CHECK: tensor.expand_shape %[[SL]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 20]
// CHECK: dq.kernel @[[K]]
// CHECK: dq.kernel @__dq_matmul_w2g32_20x64_f16_xf16_f32_avx512_mb8_par {{.*}} ins(%{{.*}}, %[[Q]], %[[S]], %[[Z]] : tensor<5x64xf16>, {{.*}}) outs(%{{.*}} : tensor<5x32xf16>)
// CHECK-NOT: dq.constant
// CHECK-NOT: func.func

// OPTS: dq.kernel @__dq_matmul_w2g32_20x64_f16_xf32_i8_avx2_mb4_seq #dq_cpu.matmul<weight = {{.*}}, target = avx2, int8 = true, m_block = 4, parallel = false>

// Enum options: the option parser refuses values outside the list.
// TARGET: for the --target option: Cannot find option named 'sse9'!
// ACT: for the --activations option: Cannot find option named 'int4'!
// MBLOCK: --dq-lower-matmul-cpu: m-block must be 1, 2, 4 or 8, got 3

func.func @two_matmuls(%x: tensor<2x3x64xf32>, %h: tensor<5x64xf16>) -> (tensor<2x3x20xf32>, tensor<2x3x20xf32>, tensor<5x20xf16>) {
  %w = dq.constant packed(dense_resource<q> : tensor<20x16xi8>)
         scale(dense_resource<s> : tensor<20x2xf16>)
         offset(dense_resource<z> : tensor<20x2xf16>)
         : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16>
  %y = dq.matmul %x, %w : tensor<2x3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16> -> tensor<2x3x20xf32>
  %y2 = dq.matmul %x, %w : tensor<2x3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16> -> tensor<2x3x20xf32>
  %yh = dq.matmul %h, %w : tensor<5x64xf16>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16> -> tensor<5x20xf16>
  return %y, %y2, %yh : tensor<2x3x20xf32>, tensor<2x3x20xf32>, tensor<5x20xf16>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
      s: "0x02000000003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C",
      z: "0x020000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    }
  }
#-}
