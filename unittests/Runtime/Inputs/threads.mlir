// t[i] = the OpenMP thread that ran iteration i of a parallel loop. Lowered
// at build time through convert-scf-to-openmp (threads.ll.mlir, threads.so).
func.func private @omp_get_thread_num() -> i32

func.func @thread_ids() -> memref<64xi32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %t = memref.alloc() : memref<64xi32>
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %tid = func.call @omp_get_thread_num() : () -> i32
    memref.store %tid, %t[%i] : memref<64xi32>
    scf.reduce
  }
  return %t : memref<64xi32>
}
