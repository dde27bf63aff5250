// RUN: dq-opt %s --dq-vectorize-linalg-cpu="min-parallel-work=0" --canonicalize --split-input-file | FileCheck %s
// RUN: dq-opt %s --dq-vectorize-linalg-cpu --canonicalize --split-input-file | FileCheck %s --check-prefix=SMALL
// RUN: dq-opt %s --dq-vectorize-linalg-cpu="threads=false approximate-math=false" --canonicalize --split-input-file | FileCheck %s --check-prefix=SEQ

// A float matmul: 8x20 output tiles across threads (no multiple of 16
// divides N = 40), the accumulator read once before the k loop and carried
// in registers through outer-product FMAs.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (24, 40) step (8, 20)
// CHECK: %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<8x20xf32>, vector<8x20xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ACC]]) -> (vector<8x20xf32>)
// CHECK-COUNT-8: vector.fma {{.*}} : vector<20xf32>
// CHECK: scf.yield {{.*}} : vector<8x20xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8x20xf32>, tensor<8x20xf32>
// 24 x 40 x 36 = 34560 iterations: threads at the default too.
// SMALL-LABEL: func.func @matmul
// SMALL: scf.forall
// SMALL: dq.op = "matmul 24x40x36", dq.op_class = "matmul"
// SEQ-LABEL: func.func @matmul
// SEQ-NOT: scf.forall
// SEQ: scf.for
func.func @matmul(%a: tensor<24x36xf32>, %b: tensor<36x40xf32>) -> tensor<24x40xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<24x40xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<24x40xf32>) -> tensor<24x40xf32>
  %c = linalg.matmul ins(%a, %b : tensor<24x36xf32>, tensor<36x40xf32>) outs(%acc : tensor<24x40xf32>) -> tensor<24x40xf32>
  return %c : tensor<24x40xf32>
}

// -----

// An elementwise chain fuses into one op, tiled by 64 elements of the
// innermost dimension; exp becomes a polynomial unless approximate-math is
// off.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @chain
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 128) step (1, 64)
// CHECK-NOT: math.exp
// CHECK-NOT: scf.forall
// CHECK: vector.transfer_write {{.*}} : vector<1x64xf32>
// With the default min-parallel-work, 512 iterations stay on one thread;
// the loop records the op it came from for profiles.
// SMALL-LABEL: func.func @chain
// SMALL-NOT: scf.forall
// SMALL: scf.for
// SMALL: dq.op = "generic 4x128", dq.op_class = "elementwise"
// SEQ-LABEL: func.func @chain
// SEQ-NOT: linalg.generic
// SEQ: math.exp {{.*}} : vector<1x64xf32>
// SEQ-NOT: linalg.generic
func.func @chain(%x: tensor<4x128xf32>) -> tensor<4x128xf32> {
  %c = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<4x128xf32>
  %a = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x128xf32>) outs(%e : tensor<4x128xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.mulf %v, %c : f32
    linalg.yield %m : f32
  } -> tensor<4x128xf32>
  %b = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x128xf32>) outs(%e : tensor<4x128xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = math.exp %v : f32
    linalg.yield %m : f32
  } -> tensor<4x128xf32>
  return %b : tensor<4x128xf32>
}

// -----

// A producer read once per output column of a contraction is not fused
// into it (it would be recomputed per column): the scaling keeps its own
// tiled loop, then the contraction.
// CHECK-LABEL: func.func @no_fusion_into_contraction
// CHECK: scf.forall (%{{.*}}) in (16)
// CHECK: arith.mulf {{.*}} : vector<1x8xf32>
// CHECK: scf.forall (%{{.*}}) = (0) to (16) step (8)
// CHECK: scf.for {{.*}} -> (vector<8x32xf32>)
// SEQ-LABEL: func.func @no_fusion_into_contraction
func.func @no_fusion_into_contraction(%q: tensor<16x8xf32>, %k: tensor<32x8xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %scale = arith.constant 0.353553385 : f32
  %eq = tensor.empty() : tensor<16x8xf32>
  %qs = linalg.generic {indexing_maps = [affine_map<(m, k) -> (m, k)>, affine_map<(m, k) -> (m, k)>], iterator_types = ["parallel", "parallel"]} ins(%q : tensor<16x8xf32>) outs(%eq : tensor<16x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.mulf %x, %scale : f32
    linalg.yield %m : f32
  } -> tensor<16x8xf32>
  %e = tensor.empty() : tensor<16x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%qs, %k : tensor<16x8xf32>, tensor<32x8xf32>) outs(%acc : tensor<16x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %a = arith.addf %o, %m : f32
    linalg.yield %a : f32
  } -> tensor<16x32xf32>
  return %s : tensor<16x32xf32>
}

// -----

// Left to the loop lowering: an i1 result (a bit per element in vectors,
// a byte in memory) and dynamic shapes. A reduction longer than the vector
// budget goes in chunks that fit it, each a vector reduction (a tree once
// convert-vector-to-llvm reassociates), the partial sums carried across
// chunks: a sequential scalar sum of 8192 terms would drop the small ones.
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<2x64xi1>)
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<?xf32>)
// CHECK: scf.for %{{.*}} = %c0 to %c8192 step %c2048 iter_args(%{{.*}}) -> (vector<2xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<2x2048xf32>, vector<2x2048xf32>
// CHECK: vector.reduction <add>, %{{.*}}, %{{.*}} : vector<2048xf32> into f32
// CHECK: vector.reduction <add>, %{{.*}}, %{{.*}} : vector<2048xf32> into f32
// CHECK: vector.transfer_write {{.*}} : vector<2xf32>, tensor<2xf32>
func.func @left_alone(%ids: tensor<2x64xi64>, %d: tensor<?xf32>, %long: tensor<2x8192xf32>)
    -> (tensor<2x64xi1>, tensor<?xf32>, tensor<2xf32>) {
  %zero = arith.constant 0 : i64
  %fzero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %eb = tensor.empty() : tensor<2x64xi1>
  %m = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%ids : tensor<2x64xi64>) outs(%eb : tensor<2x64xi1>) {
  ^bb0(%a: i64, %o: i1):
    %r = arith.cmpi ne, %a, %zero : i64
    linalg.yield %r : i1
  } -> tensor<2x64xi1>
  %n = tensor.dim %d, %c0 : tensor<?xf32>
  %ed = tensor.empty(%n) : tensor<?xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%d : tensor<?xf32>) outs(%ed : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %a : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %es = tensor.empty() : tensor<2xf32>
  %s0 = linalg.fill ins(%fzero : f32) outs(%es : tensor<2xf32>) -> tensor<2xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%long : tensor<2x8192xf32>) outs(%s0 : tensor<2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<2xf32>
  return %m, %y, %s : tensor<2x64xi1>, tensor<?xf32>, tensor<2xf32>
}

// -----

// x^2 with an integer exponent (torch's pow in RMSNorm) is expanded to a
// product before vectorization: LLVM has no vector powi with a vector of
// exponents.
// CHECK-LABEL: func.func @fpowi
// CHECK-NOT: math.fpowi
// CHECK: arith.mulf {{.*}} : vector<
func.func @fpowi(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %c2 = arith.constant 2 : i64
  %e = tensor.empty() : tensor<4x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %p = math.fpowi %in, %c2 : f32, i64
    linalg.yield %p : f32
  } -> tensor<4x64xf32>
  return %r : tensor<4x64xf32>
}

// -----

// A row's statistic read inside the row's reduction is one element
// broadcast: read as a scalar, not through a broadcasting transfer (which
// lowered to a loop of element insertions into the whole vector).
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @variance
// CHECK: tensor.extract {{.*}} : tensor<1x1xf32>
// CHECK: vector.broadcast {{.*}} : f32 to vector<1x384xf32>
// CHECK-NOT: permutation_map = affine_map<(d0, d1) -> (d0, 0)>
// CHECK: vector.reduction <add>
func.func @variance(%x: tensor<16x384xf32>, %m: tensor<16x1xf32>) -> tensor<16x1xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<16x1xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%er : tensor<16x1xf32>) -> tensor<16x1xf32>
  %v = linalg.generic {indexing_maps = [#id2, #row2, #row2], iterator_types = ["parallel", "reduction"]} ins(%x, %m : tensor<16x384xf32>, tensor<16x1xf32>) outs(%s0 : tensor<16x1xf32>) {
  ^bb0(%a: f32, %mean: f32, %o: f32):
    %d = arith.subf %a, %mean : f32
    %sq = arith.mulf %d, %d : f32
    %r = arith.addf %sq, %o : f32
    linalg.yield %r : f32
  } -> tensor<16x1xf32>
  return %v : tensor<16x1xf32>
}

// -----

// One row: the canonicalizer folds the one-trip row loop; the loop over
// the columns that remains still names the op for profiles.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// SMALL-LABEL: func.func @one_row
// SMALL: scf.for
// SMALL: } {dq.op = "generic 1x256", dq.op_class = "elementwise"}
// SMALL-NEXT: return
func.func @one_row(%x: tensor<1x256xf32>) -> tensor<1x256xf32> {
  %c = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<1x256xf32>
  %a = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<1x256xf32>) outs(%e : tensor<1x256xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.mulf %v, %c : f32
    linalg.yield %m : f32
  } -> tensor<1x256xf32>
  return %a : tensor<1x256xf32>
}
