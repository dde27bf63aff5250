// RUN: dq-opt %s --dq-cpu-pipeline | FileCheck %s --check-prefixes=CHECK,KERNEL
// RUN: dq-opt %s --dq-cpu-pipeline="kernels=false" | FileCheck %s --check-prefixes=CHECK,PORTABLE
// RUN: dq-opt %s --dq-cpu-pipeline="threads=false target=generic" | FileCheck %s --check-prefixes=CHECK,KERNEL
// RUN: dq-opt %s --dq-cpu-pipeline="threads=false" | FileCheck %s --check-prefix=SERIAL

// The CPU pipeline leaves only the LLVM dialect: no dq, tensor, linalg,
// memref or bufferization op survives, the weight blobs become globals, and
// public functions get a C interface and their recorded signature. By
// default the weight is repacked (n16k4 blobs) and the matmul calls a
// generated kernel that runs its tiles on OpenMP threads; kernels=false
// keeps the row_major blob and the portable loops.

// CHECK-NOT: = dq.
// CHECK-NOT: linalg.
// CHECK-NOT: tensor.
// CHECK-NOT: memref.
// CHECK-NOT: bufferization.
// PORTABLE-DAG: llvm.mlir.global private constant @{{.*}}(dense_resource<q> : tensor<2x1xi8>)
// KERNEL-DAG: llvm.mlir.global private constant @{{.*}}(dense_resource<q_n16k4> : tensor<1x128xi8>)
// KERNEL-DAG: llvm.mlir.global private constant @{{.*}}(dense_resource<s_n16k4> : tensor<1x2x16xf16>)
// KERNEL-DAG: llvm.func @__dq_matmul_w2g2_2x4_f16_xf32_f32_{{[a-z0-9]+}}_mb8_{{par|seq}}(
// CHECK-DAG: llvm.func @forward({{.*}}dq.abi = "{\22args\22:[{\22dtype\22:\22f32\22,\22shape\22:[3,4]}],\22results\22:[{\22dtype\22:\22f32\22,\22shape\22:[3,2]}]}"
// CHECK-DAG: llvm.func @_mlir_ciface_forward(
// CHECK-NOT: = dq.
// CHECK-NOT: memref.alloca_scope
// PORTABLE-NOT: __dq_matmul
// SERIAL-NOT: omp.
func.func @forward(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  %y = dq.matmul %x, %w : tensor<3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x100000004E1B",
      s: "0x10000000003C0040003C003C",
      z: "0x1000000000000000003C0000"
    }
  }
#-}
