// RUN: dq-opt %s --dq-lower-matmul-cuda --split-input-file | FileCheck %s
// RUN: dq-opt %s --dq-cuda-pipeline=chip=sm_80 --split-input-file | FileCheck %s --check-prefix=LLVM
// LLVM-NOT: dq.
// LLVM-NOT: unrealized_conversion_cast

// A gpu_chunked weight converts 1:N to its stored parts, so it reaches its
// dq.matmul across function and region boundaries. Only a weight whose
// parts are constants at the matmul keeps its device copy between calls
// (cache_weight = true, one host function per weight); any other is copied
// to the device on every call (one host function per configuration,
// shared). (Private functions: the pipeline's ABI export takes tensors
// only.)

// A weight argument: its parts are copied in and freed on every call.
// CHECK-LABEL: func.func private @argument
// CHECK-SAME: (%[[X:.*]]: tensor<2x64xf16>, %[[Q:.*]]: tensor<3x32xi8>, %[[S:.*]]: tensor<3x2xf16>, %[[Z:.*]]: tensor<3x2xf16>) -> tensor<2x3xf16>
// CHECK: dq.kernel @__dq_cuda_matmul_0 #dq_gpu.matmul<weight = !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 2, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = false> ins(%[[X]], %[[Q]], %[[S]], %[[Z]] : tensor<2x64xf16>, tensor<3x32xi8>, tensor<3x2xf16>, tensor<3x2xf16>)
// LLVM-LABEL: llvm.func @argument
// LLVM: llvm.call @__dq_cuda_matmul_0(
// LLVM-LABEL: llvm.func @__dq_cuda_matmul_0(
// LLVM-NOT: llvm.mlir.addressof
// LLVM: llvm.call @mgpuMemAlloc(
// LLVM: llvm.call @mgpuMemcpy(
// LLVM: gpu.launch_func
// LLVM: llvm.call @mgpuMemFree(
// LLVM: gpu.binary @__dq_cuda_kernels
func.func private @argument(%x: tensor<2x64xf16>, %w: !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>) -> tensor<2x3xf16> {
  %y = dq.matmul %x, %w : tensor<2x64xf16>, !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked> -> tensor<2x3xf16>
  return %y : tensor<2x3xf16>
}

// -----

// A returned weight becomes three results; the caller's matmul reads the
// call's results, which are not constants there.
// CHECK-LABEL: func.func private @make() -> (tensor<3x32xi8>, tensor<3x2xf16>, tensor<3x2xf16>)
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}} : tensor<3x32xi8>, tensor<3x2xf16>, tensor<3x2xf16>
// CHECK-LABEL: func.func private @caller
// CHECK: %[[R:.*]]:3 = call @make() : () -> (tensor<3x32xi8>, tensor<3x2xf16>, tensor<3x2xf16>)
// CHECK: dq.kernel @__dq_cuda_matmul_0 #dq_gpu.matmul<{{.*}}cache_weight = false> ins(%{{.*}}, %[[R]]#0, %[[R]]#1, %[[R]]#2 :
// LLVM-LABEL: llvm.func @caller
// LLVM: llvm.call @__dq_cuda_matmul_0(
func.func private @make() -> !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked> {
  %w = dq.constant packed(dense_resource<q> : tensor<3x32xi8>)
         scale(dense_resource<s> : tensor<3x2xf16>)
         offset(dense_resource<z> : tensor<3x2xf16>)
         : !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>
  return %w : !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>
}

func.func private @caller(%x: tensor<2x64xf16>) -> tensor<2x3xf16> {
  %w = func.call @make() : () -> !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>
  %y = dq.matmul %x, %w : tensor<2x64xf16>, !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked> -> tensor<2x3xf16>
  return %y : tensor<2x3xf16>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x010000001B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B",
      s: "0x02000000003C003C003C003C003C003C",
      z: "0x02000000000000000000000000000000"
    }
  }
#-}

// -----

// scf.for carries the parts; the body's kernel reads the block arguments.
// CHECK-LABEL: func.func private @for_iter_args
// CHECK-SAME: (%[[X:.*]]: tensor<2x64xf16>, %[[Q:.*]]: tensor<3x32xi8>, %[[S:.*]]: tensor<3x2xf16>, %[[Z:.*]]: tensor<3x2xf16>)
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %[[QI:.*]] = %[[Q]], %[[SI:.*]] = %[[S]], %[[ZI:.*]] = %[[Z]]) -> (tensor<2x3xf16>, tensor<3x32xi8>, tensor<3x2xf16>, tensor<3x2xf16>)
// CHECK:   dq.kernel @__dq_cuda_matmul_0 {{.*}}cache_weight = false> ins(%[[X]], %[[QI]], %[[SI]], %[[ZI]] :
// CHECK:   scf.yield %{{.*}}, %[[QI]], %[[SI]], %[[ZI]]
// LLVM-LABEL: llvm.func @for_iter_args
// LLVM: llvm.call @__dq_cuda_matmul_0(
func.func private @for_iter_args(%x: tensor<2x64xf16>, %w: !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>) -> tensor<2x3xf16> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %zero = arith.constant 0.0 : f16
  %empty = tensor.empty() : tensor<2x3xf16>
  %init = linalg.fill ins(%zero : f16) outs(%empty : tensor<2x3xf16>) -> tensor<2x3xf16>
  %r:2 = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %init, %wi = %w) -> (tensor<2x3xf16>, !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>) {
    %y = dq.matmul %x, %wi : tensor<2x64xf16>, !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked> -> tensor<2x3xf16>
    %sum = linalg.add ins(%acc, %y : tensor<2x3xf16>, tensor<2x3xf16>) outs(%acc : tensor<2x3xf16>) -> tensor<2x3xf16>
    scf.yield %sum, %wi : tensor<2x3xf16>, !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>
  }
  return %r#0 : tensor<2x3xf16>
}

// -----

// scf.if chooses between a constant weight and an argument: the matmul
// after it reads the if's results.
// CHECK-LABEL: func.func private @if_result
// CHECK: %[[R:.*]]:3 = scf.if %{{.*}} -> (tensor<3x32xi8>, tensor<3x2xf16>, tensor<3x2xf16>) {
// CHECK: dq.kernel @__dq_cuda_matmul_0 {{.*}}cache_weight = false> ins(%{{.*}}, %[[R]]#0, %[[R]]#1, %[[R]]#2 :
// LLVM-LABEL: llvm.func @if_result
// LLVM: llvm.call @__dq_cuda_matmul_0(
func.func private @if_result(%c: i1, %x: tensor<2x64xf16>, %b: !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>) -> tensor<2x3xf16> {
  %a = dq.constant packed(dense_resource<q> : tensor<3x32xi8>)
         scale(dense_resource<s> : tensor<3x2xf16>)
         offset(dense_resource<z> : tensor<3x2xf16>)
         : !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>
  %w = scf.if %c -> !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked> {
    scf.yield %a : !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>
  } else {
    scf.yield %b : !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>
  }
  %y = dq.matmul %x, %w : tensor<2x64xf16>, !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked> -> tensor<2x3xf16>
  return %y : tensor<2x3xf16>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x010000001B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B",
      s: "0x02000000003C003C003C003C003C003C",
      z: "0x02000000000000000000000000000000"
    }
  }
#-}

// -----

// A constant and an argument in one function: two host functions, the
// constant's cached (its device copy lives in module globals).
// CHECK-LABEL: func.func private @both
// CHECK: dq.kernel @__dq_cuda_matmul_0 {{.*}}cache_weight = true>
// CHECK: dq.kernel @__dq_cuda_matmul_1 {{.*}}cache_weight = false>
// LLVM: llvm.mlir.global internal @__dq_cuda_matmul_0_device_packed()
// LLVM-NOT: llvm.mlir.global internal @__dq_cuda_matmul_1_device
// LLVM-LABEL: llvm.func @both
// LLVM: llvm.call @__dq_cuda_matmul_0(
// LLVM: llvm.call @__dq_cuda_matmul_1(
func.func private @both(%x: tensor<2x64xf16>, %b: !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>) -> (tensor<2x3xf16>, tensor<2x3xf16>) {
  %a = dq.constant packed(dense_resource<q> : tensor<3x32xi8>)
         scale(dense_resource<s> : tensor<3x2xf16>)
         offset(dense_resource<z> : tensor<3x2xf16>)
         : !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>
  %ya = dq.matmul %x, %a : tensor<2x64xf16>, !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked> -> tensor<2x3xf16>
  %yb = dq.matmul %x, %b : tensor<2x64xf16>, !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked> -> tensor<2x3xf16>
  return %ya, %yb : tensor<2x3xf16>, tensor<2x3xf16>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x010000001B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B",
      s: "0x02000000003C003C003C003C003C003C",
      z: "0x02000000000000000000000000000000"
    }
  }
#-}
