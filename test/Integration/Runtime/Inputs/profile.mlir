// Inputs of profile.test: an attention head (scores, softmax, weighted
// values), whose every op should count as attention; a softmax over
// logits that no attention produced; and a large matmul beside a tiny
// add, whose times must differ by orders of magnitude.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0, 0)>

func.func @attention(%q: tensor<2x16x8xf32>, %k: tensor<2x32x8xf32>, %v: tensor<2x32x8xf32>) -> tensor<2x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<2x16x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<2x16x8xf32>, tensor<2x32x8xf32>) outs(%acc : tensor<2x16x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %a = arith.addf %o, %m : f32
    linalg.yield %a : f32
  } -> tensor<2x16x32xf32>
  %er = tensor.empty() : tensor<2x16x1xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%er : tensor<2x16x1xf32>) -> tensor<2x16x1xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%s : tensor<2x16x32xf32>) outs(%m0 : tensor<2x16x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<2x16x1xf32>
  %ex = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s, %max : tensor<2x16x32xf32>, tensor<2x16x1xf32>) outs(%e : tensor<2x16x32xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<2x16x32xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%er : tensor<2x16x1xf32>) -> tensor<2x16x1xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%ex : tensor<2x16x32xf32>) outs(%s0 : tensor<2x16x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<2x16x1xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ex, %sum : tensor<2x16x32xf32>, tensor<2x16x1xf32>) outs(%e : tensor<2x16x32xf32>) {
  ^bb0(%a: f32, %t: f32, %o: f32):
    %r = arith.divf %a, %t : f32
    linalg.yield %r : f32
  } -> tensor<2x16x32xf32>
  %eo = tensor.empty() : tensor<2x16x8xf32>
  %acco = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
  %out = linalg.batch_matmul ins(%p, %v : tensor<2x16x32xf32>, tensor<2x32x8xf32>) outs(%acco : tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
  return %out : tensor<2x16x8xf32>
}

// Log-probabilities over a vocabulary: x - max - log(sum(exp(x - max))).
func.func @log_softmax(%x: tensor<4x256xf32>) -> tensor<4x256xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %er = tensor.empty() : tensor<4x1xf32>
  %e = tensor.empty() : tensor<4x256xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%er : tensor<4x1xf32>) -> tensor<4x1xf32>
  %max = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x256xf32>) outs(%m0 : tensor<4x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<4x1xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%er : tensor<4x1xf32>) -> tensor<4x1xf32>
  %sum = linalg.generic {indexing_maps = [#id2, #row2, #row2], iterator_types = ["parallel", "reduction"]} ins(%x, %max : tensor<4x256xf32>, tensor<4x1xf32>) outs(%s0 : tensor<4x1xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %x1 = math.exp %d : f32
    %r = arith.addf %x1, %o : f32
    linalg.yield %r : f32
  } -> tensor<4x1xf32>
  %y = linalg.generic {indexing_maps = [#id2, #row2, #row2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x, %max, %sum : tensor<4x256xf32>, tensor<4x1xf32>, tensor<4x1xf32>) outs(%e : tensor<4x256xf32>) {
  ^bb0(%a: f32, %m: f32, %t: f32, %o: f32):
    %l = math.log %t : f32
    %d = arith.subf %a, %m : f32
    %r = arith.subf %d, %l : f32
    linalg.yield %r : f32
  } -> tensor<4x256xf32>
  return %y : tensor<4x256xf32>
}

// 2·256³ flops against 1024 additions.
func.func @heavy(%a: tensor<256x256xf32>, %b: tensor<256x256xf32>, %c: tensor<16x64xf32>) -> (tensor<256x256xf32>, tensor<16x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<256x256xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<256x256xf32>) -> tensor<256x256xf32>
  %m = linalg.matmul ins(%a, %b : tensor<256x256xf32>, tensor<256x256xf32>) outs(%acc : tensor<256x256xf32>) -> tensor<256x256xf32>
  %es = tensor.empty() : tensor<16x64xf32>
  %d = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%c : tensor<16x64xf32>) outs(%es : tensor<16x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.addf %x, %one : f32
    linalg.yield %r : f32
  } -> tensor<16x64xf32>
  return %m, %d : tensor<256x256xf32>, tensor<16x64xf32>
}
