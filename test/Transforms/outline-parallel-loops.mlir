// RUN: dq-opt --dq-outline-parallel-loops %s | FileCheck %s
// RUN: dq-opt --dq-outline-parallel-loops="min-loops=3" %s | FileCheck %s --check-prefix=MIN3

// Two outermost loops: each moves into a private function of its own. The
// nested loop goes with its parent, the constants are cloned in (not passed),
// the captured buffers and the scalar become arguments, and the reduction's
// result comes back through the call.

// CHECK-LABEL: func.func private @two_parallel_parallel0(
// CHECK-SAME:      %{{.*}}: memref<8x4xf32>, %{{.*}}: f32)
// CHECK-DAG:     arith.constant 0 : index
// CHECK-DAG:     arith.constant 2.000000e+00 : f32
// CHECK:         scf.parallel
// CHECK:           scf.parallel
// CHECK:         return
// CHECK-LABEL: func.func private @two_parallel_parallel1(
// CHECK-SAME:      %{{.*}}: memref<8xf32>) -> f32
// CHECK:         %[[R:.*]] = scf.parallel
// CHECK:           scf.reduce
// CHECK:         return %[[R]] : f32
// CHECK-LABEL: func.func @two_parallel(
// CHECK-SAME:      %[[A:.*]]: memref<8x4xf32>, %[[B:.*]]: memref<8xf32>, %[[X:.*]]: f32)
// CHECK-NOT:     scf.parallel
// CHECK:         call @two_parallel_parallel0(%[[A]], %[[X]]) : (memref<8x4xf32>, f32) -> ()
// CHECK:         %[[S:.*]] = call @two_parallel_parallel1(%[[B]]) : (memref<8xf32>) -> f32
// CHECK:         %[[T:.*]] = arith.addf %[[S]], %[[X]] : f32
// CHECK:         return %[[T]] : f32

// MIN3-LABEL: func.func @two_parallel(
// MIN3:         scf.parallel
// MIN3-NOT:     call
func.func @two_parallel(%a: memref<8x4xf32>, %b: memref<8xf32>, %x: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %two = arith.constant 2.0 : f32
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
      %v = memref.load %a[%i, %j] : memref<8x4xf32>
      %w = arith.mulf %v, %two : f32
      %y = arith.addf %w, %x : f32
      memref.store %y, %a[%i, %j] : memref<8x4xf32>
      scf.reduce
    }
    scf.reduce
  }
  %sum = scf.parallel (%i) = (%c0) to (%c8) step (%c1) init (%zero) -> f32 {
    %v = memref.load %b[%i] : memref<8xf32>
    scf.reduce(%v : f32) {
    ^bb0(%l: f32, %r: f32):
      %s = arith.addf %l, %r : f32
      scf.reduce.return %s : f32
    }
  }
  %t = arith.addf %sum, %x : f32
  return %t : f32
}

// One outermost loop: left where it is (it is alone in its function already).
// CHECK-LABEL: func.func @one_parallel(
// CHECK:         scf.parallel
// CHECK-NOT:     call
func.func @one_parallel(%b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %one, %b[%i] : memref<8xf32>
    scf.reduce
  }
  return
}

// A name that is taken gets the next free one.
// CHECK-LABEL: func.func private @clash_parallel1(
// CHECK-LABEL: func.func private @clash_parallel2(
// CHECK-LABEL: func.func @clash(
// CHECK:         call @clash_parallel1(
// CHECK:         call @clash_parallel2(
func.func private @clash_parallel0()
func.func @clash(%b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %one, %b[%i] : memref<8xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %one, %b[%i] : memref<8xf32>
    scf.reduce
  }
  return
}
