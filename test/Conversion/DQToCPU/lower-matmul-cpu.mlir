// RUN: dq-opt %s --dq-pack-weights --dq-lower-matmul-cpu="target=avx512" | FileCheck %s
// RUN: dq-opt %s --dq-pack-weights --dq-lower-matmul-cpu="target=avx2 activations=int8 m-block=4 parallel=false" | FileCheck %s --check-prefix=OPTS
// RUN: not dq-opt %s --dq-lower-matmul-cpu="target=sse9" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not dq-opt %s --dq-lower-matmul-cpu="activations=int4" 2>&1 | FileCheck %s --check-prefix=ACT
// RUN: not dq-opt %s --dq-lower-matmul-cpu="m-block=3" 2>&1 | FileCheck %s --check-prefix=MBLOCK

// The call site: the activation's batch dims collapse to M, tensors reach
// the kernel as read-only buffers, the output is a [M, tiles*16] buffer
// handed back as a tensor and sliced to N = 20. Both matmuls share one
// kernel (same weight type and options); the f16 activation gets its own.

// CHECK-LABEL: func.func @two_matmuls
// CHECK: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x3x64xf32> into tensor<6x64xf32>
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<6x64xf32> to memref<6x64xf32, strided<[?, 1], offset: ?>>
// CHECK: %[[XC:.*]] = memref.cast %[[XB]] : {{.*}} to memref<?x64xf32, strided<[?, 1], offset: ?>>
// CHECK: %[[Q:.*]] = arith.constant dense_resource<q_n16k4> : tensor<2x256xi8>
// CHECK: %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only : tensor<2x256xi8> to memref<2x256xi8>
// CHECK: %[[S:.*]] = arith.constant dense_resource<s_n16k4> : tensor<2x2x16xf16>
// CHECK: %[[SB:.*]] = bufferization.to_buffer %[[S]] read_only
// CHECK: %[[Z:.*]] = arith.constant dense_resource<z_n16k4> : tensor<2x2x16xf16>
// CHECK: %[[ZB:.*]] = bufferization.to_buffer %[[Z]] read_only
// CHECK: %[[Y:.*]] = memref.alloc() : memref<6x32xf32>
// CHECK: %[[YC:.*]] = memref.cast %[[Y]] : memref<6x32xf32> to memref<?x32xf32>
// CHECK: call @[[K:__dq_matmul_w2g32_20x64_f16_xf32_f32_avx512_mb8_par]](%[[XC]], %[[QB]], %[[SB]], %[[ZB]], %[[YC]])
// CHECK: %[[YT:.*]] = bufferization.to_tensor %[[Y]] restrict writable : memref<6x32xf32> to tensor<6x32xf32>
// CHECK: %[[SL:.*]] = tensor.extract_slice %[[YT]][0, 0] [6, 20] [1, 1]
// CHECK: tensor.expand_shape %[[SL]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 20]
// CHECK: call @[[K]](
// CHECK: call @[[KH:__dq_matmul_w2g32_20x64_f16_xf16_f32_avx512_mb8_par]](
// CHECK-NOT: dq.constant
// CHECK-DAG: func.func private @[[K]](memref<?x64xf32, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>, memref<?x32xf32>) attributes {dq.cpu_kernel = {activation = f32, int8 = false, m_block = 8 : i64, parallel = true, target = "avx512", weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>}, no_inline}
// CHECK-DAG: func.func private @[[KH]](memref<?x64xf16, strided<[?, 1], offset: ?>>, {{.*}}, memref<?x32xf16>)

// OPTS: func.func private @__dq_matmul_w2g32_20x64_f16_xf32_i8_avx2_mb4_seq({{.*}}) attributes {dq.cpu_kernel = {activation = f32, int8 = true, m_block = 4 : i64, parallel = false, target = "avx2", weight = {{.*}}}, no_inline, target_cpu = "haswell", target_features = #llvm.target_features<["+avx2", "+fma", "+f16c", "-avx512f"]>}

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
