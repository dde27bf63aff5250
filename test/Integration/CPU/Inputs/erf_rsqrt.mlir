// y = erf(x) + rsqrt(x), elementwise, as linalg on tensors.
#id = affine_map<(d0) -> (d0)>
func.func @f(%x: tensor<64xf32>) -> tensor<64xf32> {
  %e = tensor.empty() : tensor<64xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %0 = math.erf %a : f32
    %1 = math.rsqrt %a : f32
    %2 = arith.addf %0, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<64xf32>
  return %y : tensor<64xf32>
}
