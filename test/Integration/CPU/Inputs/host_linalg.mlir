// Tensor-level linalg ops of the kinds a transformer leaves outside the
// dq kernels (as torch-mlir emits them), for --dq-vectorize-linalg-cpu:
// check_host_linalg.py compares each result with float64 numpy.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#row2 = affine_map<(d0, d1) -> (d0, 0)>
#col2 = affine_map<(d0, d1) -> (d1)>

// Odd tile shapes: M 24 (8-row blocks), N 40 (no multiple of 16 divides).
func.func @matmul(%a: tensor<24x36xf32>, %b: tensor<36x40xf32>) -> tensor<24x40xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<24x40xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<24x40xf32>) -> tensor<24x40xf32>
  %c = linalg.matmul ins(%a, %b : tensor<24x36xf32>, tensor<36x40xf32>) outs(%acc : tensor<24x40xf32>) -> tensor<24x40xf32>
  return %c : tensor<24x40xf32>
}

// Attention scores: B read transposed (k innermost), a scaled producer.
func.func @scores(%q: tensor<3x16x8xf32>, %k: tensor<3x32x8xf32>) -> tensor<3x16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %scale = arith.constant 0.353553385 : f32
  %eq = tensor.empty() : tensor<3x16x8xf32>
  %qs = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%q : tensor<3x16x8xf32>) outs(%eq : tensor<3x16x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.mulf %x, %scale : f32
    linalg.yield %m : f32
  } -> tensor<3x16x8xf32>
  %e = tensor.empty() : tensor<3x16x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<3x16x32xf32>) -> tensor<3x16x32xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%qs, %k : tensor<3x16x8xf32>, tensor<3x32x8xf32>) outs(%acc : tensor<3x16x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %a = arith.addf %o, %m : f32
    linalg.yield %a : f32
  } -> tensor<3x16x32xf32>
  return %s : tensor<3x16x32xf32>
}

func.func @batch_matmul(%p: tensor<3x16x32xf32>, %v: tensor<3x32x8xf32>) -> tensor<3x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x16x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<3x16x8xf32>) -> tensor<3x16x8xf32>
  %c = linalg.batch_matmul ins(%p, %v : tensor<3x16x32xf32>, tensor<3x32x8xf32>) outs(%acc : tensor<3x16x8xf32>) -> tensor<3x16x8xf32>
  return %c : tensor<3x16x8xf32>
}

// Softmax over the last dimension: max, exp, sum, divide.
func.func @softmax(%x: tensor<4x8x128xf32>) -> tensor<4x8x128xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4x8x1xf32>
  %e = tensor.empty() : tensor<4x8x128xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%er : tensor<4x8x1xf32>) -> tensor<4x8x1xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x128xf32>) outs(%m0 : tensor<4x8x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<4x8x1xf32>
  %ex = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x128xf32>, tensor<4x8x1xf32>) outs(%e : tensor<4x8x128xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<4x8x128xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%er : tensor<4x8x1xf32>) -> tensor<4x8x1xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%ex : tensor<4x8x128xf32>) outs(%s0 : tensor<4x8x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<4x8x1xf32>
  %y = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ex, %sum : tensor<4x8x128xf32>, tensor<4x8x1xf32>) outs(%e : tensor<4x8x128xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %r = arith.divf %a, %s : f32
    linalg.yield %r : f32
  } -> tensor<4x8x128xf32>
  return %y : tensor<4x8x128xf32>
}

// Layer normalization over 384 features, with rsqrt, scale and shift.
func.func @layernorm(%x: tensor<16x384xf32>, %g: tensor<384xf32>, %b: tensor<384xf32>) -> tensor<16x384xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 384.0 : f32
  %eps = arith.constant 9.99999996E-13 : f32
  %er = tensor.empty() : tensor<16x1xf32>
  %e = tensor.empty() : tensor<16x384xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%er : tensor<16x1xf32>) -> tensor<16x1xf32>
  %sum = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<16x384xf32>) outs(%s0 : tensor<16x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<16x1xf32>
  %c = linalg.generic {indexing_maps = [#id2, #row2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<16x384xf32>, tensor<16x1xf32>) outs(%e : tensor<16x384xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %mean = arith.divf %s, %n : f32
    %r = arith.subf %a, %mean : f32
    linalg.yield %r : f32
  } -> tensor<16x384xf32>
  %sq = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]} ins(%c : tensor<16x384xf32>) outs(%s0 : tensor<16x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    %r = arith.addf %m, %o : f32
    linalg.yield %r : f32
  } -> tensor<16x1xf32>
  %y = linalg.generic {indexing_maps = [#id2, #row2, #col2, #col2, #id2], iterator_types = ["parallel", "parallel"]} ins(%c, %sq, %g, %b : tensor<16x384xf32>, tensor<16x1xf32>, tensor<384xf32>, tensor<384xf32>) outs(%e : tensor<16x384xf32>) {
  ^bb0(%a: f32, %v: f32, %gg: f32, %bb: f32, %o: f32):
    %var = arith.divf %v, %n : f32
    %ve = arith.addf %var, %eps : f32
    %rs = math.rsqrt %ve : f32
    %t = arith.mulf %a, %rs : f32
    %u = arith.mulf %t, %gg : f32
    %r = arith.addf %u, %bb : f32
    linalg.yield %r : f32
  } -> tensor<16x384xf32>
  return %y : tensor<16x384xf32>
}

// A variance with the mean read inside the reduction (torch-mlir's
// LayerNorm): each row's statistic is broadcast over the reduced dimension.
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

// GELU with erf, as BERT's intermediate activation.
func.func @gelu(%x: tensor<8x1536xf32>) -> tensor<8x1536xf32> {
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %rs2 = arith.constant 0.707106769 : f32
  %e = tensor.empty() : tensor<8x1536xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x1536xf32>) outs(%e : tensor<8x1536xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %rs2 : f32
    %f = math.erf %s : f32
    %p = arith.addf %f, %one : f32
    %h = arith.mulf %a, %half : f32
    %r = arith.mulf %h, %p : f32
    linalg.yield %r : f32
  } -> tensor<8x1536xf32>
  return %y : tensor<8x1536xf32>
}

// Embedding lookup: a data-dependent tensor.extract in the body (gather).
func.func @gather(%ids: tensor<2x16xi64>, %table: tensor<50x64xf32>) -> tensor<2x16x64xf32> {
  %e = tensor.empty() : tensor<2x16x64xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<2x16xi64>) outs(%e : tensor<2x16x64xf32>) {
  ^bb0(%id: i64, %o: f32):
    %row = arith.index_cast %id : i64 to index
    %col = linalg.index 2 : index
    %v = tensor.extract %table[%row, %col] : tensor<50x64xf32>
    linalg.yield %v : f32
  } -> tensor<2x16x64xf32>
  return %y : tensor<2x16x64xf32>
}

// An attention mask built through an i1 tensor (bytes in memory, bits in
// vectors: must not be vectorized) and consumed by a masked sum that reads
// each mask element once per output column, so it is not fused away; its
// 4160-long reduction exceeds the vector budget and stays scalar, reading
// the bytes the mask producer wrote.
func.func @mask(%ids: tensor<2x4160xi64>, %x: tensor<4160x16xf32>) -> tensor<2x16xf32> {
  %zero = arith.constant 0 : i64
  %fzero = arith.constant 0.0 : f32
  %eb = tensor.empty() : tensor<2x4160xi1>
  %e = tensor.empty() : tensor<2x16xf32>
  %m = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%ids : tensor<2x4160xi64>) outs(%eb : tensor<2x4160xi1>) {
  ^bb0(%a: i64, %o: i1):
    %r = arith.cmpi ne, %a, %zero : i64
    linalg.yield %r : i1
  } -> tensor<2x4160xi1>
  %acc = linalg.fill ins(%fzero : f32) outs(%e : tensor<2x16xf32>) -> tensor<2x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%m, %x : tensor<2x4160xi1>, tensor<4160x16xf32>) outs(%acc : tensor<2x16xf32>) {
  ^bb0(%k: i1, %a: f32, %o: f32):
    %v = arith.select %k, %a, %fzero : f32
    %r = arith.addf %o, %v : f32
    linalg.yield %r : f32
  } -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// Sweeps of the approximated functions.
func.func @exp(%x: tensor<8192xf32>) -> tensor<8192xf32> {
  %e = tensor.empty() : tensor<8192xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<8192xf32>) outs(%e : tensor<8192xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<8192xf32>
  return %y : tensor<8192xf32>
}

func.func @erf(%x: tensor<8192xf32>) -> tensor<8192xf32> {
  %e = tensor.empty() : tensor<8192xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<8192xf32>) outs(%e : tensor<8192xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.erf %a : f32
    linalg.yield %r : f32
  } -> tensor<8192xf32>
  return %y : tensor<8192xf32>
}
