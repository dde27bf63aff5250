// Threads: an scf.parallel loop lowered through OpenMP runs on exactly the
// requested number of threads, JIT-compiled and ahead of time, with the same
// results. Each element records the OpenMP thread that computed it, so the
// test sees the threads without timing anything.
//
// convert-scf-to-openmp runs after the buffer-deallocation pipeline: the
// ownership-based deallocation pass inserts constants into omp.wsloop, whose
// verifier then fails, when they run the other way round.
//
// REQUIRES: numpy
// RUN: dq-opt %s --dq-export-abi --buffer-deallocation-pipeline \
// RUN:   --convert-scf-to-openmp --convert-scf-to-cf --finalize-memref-to-llvm \
// RUN:   --convert-to-llvm --reconcile-unrealized-casts -o %t.mlir
// RUN: FileCheck %s --check-prefix=IR < %t.mlir
// RUN: dq-compile %t.mlir -o %t.so
// RUN: %dq_python -c "import numpy as np; np.save('%t.x.npy', np.random.default_rng(41).standard_normal(64).astype(np.float32))"
// RUN: dq-run %t.mlir --function scale --input %t.x.npy --threads 1 --output %t.jit1.y.npy --output %t.jit1.t.npy
// RUN: dq-run %t.mlir --function scale --input %t.x.npy --threads 2 --output %t.jit2.y.npy --output %t.jit2.t.npy
// RUN: dq-run %t.mlir --function scale --input %t.x.npy --threads 3 --output %t.jit3.y.npy --output %t.jit3.t.npy
// RUN: dq-run %t.so --function scale --input %t.x.npy --threads 1 --output %t.aot1.y.npy --output %t.aot1.t.npy
// RUN: dq-run %t.so --function scale --input %t.x.npy --threads 2 --output %t.aot2.y.npy --output %t.aot2.t.npy
// RUN: dq-run %t.so --function scale --input %t.x.npy --threads 3 --output %t.aot3.y.npy --output %t.aot3.t.npy
// RUN: %dq_python %S/Inputs/check_threads.py %t.x.npy %t 1 2 3 | FileCheck %s

// IR: omp.parallel
// IR: omp.wsloop

// CHECK: threads 1: jit ok, aot ok, thread ids [0]
// CHECK: threads 2: jit ok, aot ok, thread ids [0, 1]
// CHECK: threads 3: jit ok, aot ok, thread ids [0, 1, 2]

func.func private @omp_get_thread_num() -> i32

// y[i] = 2 * x[i] + 1; t[i] = the thread that computed element i.
func.func @scale(%x: memref<64xf32>) -> (memref<64xf32>, memref<64xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %two = arith.constant 2.0 : f32
  %one = arith.constant 1.0 : f32
  %y = memref.alloc() : memref<64xf32>
  %t = memref.alloc() : memref<64xi32>
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %v = memref.load %x[%i] : memref<64xf32>
    %m = arith.mulf %v, %two : f32
    %a = arith.addf %m, %one : f32
    memref.store %a, %y[%i] : memref<64xf32>
    %tid = func.call @omp_get_thread_num() : () -> i32
    memref.store %tid, %t[%i] : memref<64xi32>
    scf.reduce
  }
  return %y, %t : memref<64xf32>, memref<64xi32>
}
