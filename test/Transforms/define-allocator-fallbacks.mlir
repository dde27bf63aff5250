// RUN: dq-opt %s --split-input-file --dq-define-allocator-fallbacks -verify-diagnostics | FileCheck %s

// Declared generic functions get weak bodies that call libc with the same
// arguments; malloc and free are declared where missing.
// CHECK-LABEL: llvm.func weak @_mlir_memref_to_llvm_alloc(
// CHECK-SAME: %[[SIZE:.*]]: i64) -> !llvm.ptr {
// CHECK-NEXT: %[[P:.*]] = llvm.call @malloc(%[[SIZE]]) : (i64) -> !llvm.ptr
// CHECK-NEXT: llvm.return %[[P]] : !llvm.ptr
// CHECK-LABEL: llvm.func weak @_mlir_memref_to_llvm_free(
// CHECK-SAME: %[[Q:.*]]: !llvm.ptr) {
// CHECK-NEXT: llvm.call @free(%[[Q]]) : (!llvm.ptr) -> ()
// CHECK-NEXT: llvm.return
// The caller is unchanged.
// CHECK-LABEL: llvm.func @user
// CHECK: llvm.call @_mlir_memref_to_llvm_alloc
// CHECK-DAG: llvm.func @malloc(i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @free(!llvm.ptr)
module {
  llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
  llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
  llvm.func @user(%n: i64) {
    %p = llvm.call @_mlir_memref_to_llvm_alloc(%n) : (i64) -> !llvm.ptr
    llvm.call @_mlir_memref_to_llvm_free(%p) : (!llvm.ptr) -> ()
    llvm.return
  }
}

// -----

// An aligned allocation forwards to aligned_alloc; an existing matching
// declaration of it is reused, and a function that already has a body (a
// host's own allocator) is left alone.
// CHECK-LABEL: llvm.func weak @_mlir_memref_to_llvm_aligned_alloc(
// CHECK-NEXT: llvm.call @aligned_alloc(
// CHECK: llvm.func @aligned_alloc(i64, i64) -> !llvm.ptr
// CHECK-NOT: llvm.func @aligned_alloc
// CHECK-LABEL: llvm.func @_mlir_memref_to_llvm_free(
// CHECK-NEXT: llvm.return
module {
  llvm.func @_mlir_memref_to_llvm_aligned_alloc(i64, i64) -> !llvm.ptr
  llvm.func @aligned_alloc(i64, i64) -> !llvm.ptr
  llvm.func @_mlir_memref_to_llvm_free(%p: !llvm.ptr) {
    llvm.return
  }
}

// -----

// A module without them is left alone.
// CHECK-LABEL: llvm.func @plain
// CHECK-NOT: malloc
module {
  llvm.func @plain() {
    llvm.return
  }
}

// -----

// A libc declaration of another type cannot be called: an error, not a
// mismatched call.
module {
  // expected-error @below {{cannot define a fallback for '_mlir_memref_to_llvm_alloc': 'malloc' is declared with another type}}
  llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
  llvm.func @malloc(i32) -> !llvm.ptr
}
