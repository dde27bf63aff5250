// RUN: dq-opt %s --dq-profile-regions --split-input-file -verify-diagnostics | FileCheck %s

// Each op that does work gets a clock read before and after it and a
// counter update after it: a loop nest the vectorizer stamped (its class and
// op come from the stamp), a linalg op left to scalar loops (classified
// here) and a concatenation. Views and constants are not timed. The
// table names the rows in program order.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// CHECK: func.func @_dq_profile_clock() -> i64 attributes {llvm.linkage = #llvm.linkage<weak>}
// CHECK: arith.constant 0 : i64
// CHECK-NEXT: return
// CHECK: memref.global "public" @_dq_profile_counters : memref<3x2xi64> = dense<0>
// CHECK: llvm.mlir.global external constant @_dq_profile_regions("{\22regions\22:{{\[\[}}\22f\22,\22softmax\22,\22generic 4x8\22],{{\[}}\22f\22,\22elementwise\22,\22generic 4x8 (scalar)\22],{{\[}}\22f\22,\22data-movement\22,\22tensor.concat tensor<8x8xf32>\22]],\22version\22:1}\00")
// CHECK-LABEL: func.func @f
// CHECK: tensor.empty
// CHECK-NEXT: %[[T0:.*]] = call @_dq_profile_clock()
// CHECK-NEXT: scf.forall
// CHECK: } {dq.op = "generic 4x8", dq.op_class = "softmax"}
// CHECK-NEXT: %[[T1:.*]] = call @_dq_profile_clock()
// CHECK-NEXT: %[[G:.*]] = memref.get_global @_dq_profile_counters
// CHECK-NEXT: %[[ROW:.*]] = arith.constant 0 : index
// CHECK: memref.load %[[G]][%[[ROW]], %{{.*}}]
// CHECK: arith.subi %[[T1]], %[[T0]] : i64
// CHECK: call @_dq_profile_clock()
// CHECK-NEXT: linalg.generic
// CHECK: call @_dq_profile_clock()
// CHECK-NEXT: memref.get_global
// CHECK-NEXT: arith.constant 1 : index
// CHECK: call @_dq_profile_clock()
// CHECK-NEXT: tensor.concat
// CHECK-NEXT: call @_dq_profile_clock()
// CHECK-NEXT: memref.get_global
// CHECK-NEXT: arith.constant 2 : index
// CHECK-NOT: _dq_profile_clock
// CHECK: return
func.func @f(%x: tensor<4x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %a = scf.forall (%i) in (4) shared_outs(%o = %e) -> (tensor<4x8xf32>) {
    %s = tensor.extract_slice %x[%i, 0] [1, 8] [1, 1] : tensor<4x8xf32> to tensor<1x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 8] [1, 1] : tensor<1x8xf32> into tensor<4x8xf32>
    }
  } {dq.op = "generic 4x8", dq.op_class = "softmax"}
  %c = arith.constant 2.0 : f32
  %b = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %w: f32):
    %m = arith.mulf %v, %c : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %cat = tensor.concat dim(0) %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<8x8xf32>
  return %cat : tensor<8x8xf32>
}

// -----

// A module that already has one of the pass's symbols is refused: running
// the pass twice would declare them twice.
// expected-error @below {{module already defines '_dq_profile_clock' (--dq-profile-regions ran twice?)}}
module {
  func.func private @_dq_profile_clock() -> i64
}
