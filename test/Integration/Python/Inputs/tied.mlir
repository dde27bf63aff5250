// A KV-cache-shaped update for the tied-result tests: row `pos` of the cache
// becomes `row`, and the column sums of the updated cache are returned.

// The cache is tied to result #1: bufferization updates it in place. The
// position is bounded to the cache's rows: past them, the insert would write
// outside the cache, so the runtime refuses the call.
func.func @step(%cache: tensor<4x8xf32> {dq.tied_result = 1 : i64},
                %row: tensor<1x8xf32>,
                %pos: tensor<1xi64> {dq.bounds = array<i64: 0, 3>})
    -> (tensor<8xf32>, tensor<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %p64 = tensor.extract %pos[%c0] : tensor<1xi64>
  %p = arith.index_cast %p64 : i64 to index
  %new = tensor.insert_slice %row into %cache[%p, 0] [1, 8] [1, 1]
      : tensor<1x8xf32> into tensor<4x8xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<8xf32>) -> tensor<8xf32>
  %sum = linalg.reduce ins(%new : tensor<4x8xf32>) outs(%init : tensor<8xf32>)
      dimensions = [0]
      (%in: f32, %acc: f32) {
        %s = arith.addf %in, %acc : f32
        linalg.yield %s : f32
      }
  return %sum, %new : tensor<8xf32>, tensor<4x8xf32>
}

// The old cache is returned too (result #0), so the update cannot happen in
// place: the runtime copies the tied result into the cache after result #0
// has been taken from it.
func.func @step_keep_old(%cache: tensor<4x8xf32> {dq.tied_result = 1 : i64},
                         %row: tensor<1x8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %new = tensor.insert_slice %row into %cache[0, 0] [1, 8] [1, 1]
      : tensor<1x8xf32> into tensor<4x8xf32>
  return %cache, %new : tensor<4x8xf32>, tensor<4x8xf32>
}
