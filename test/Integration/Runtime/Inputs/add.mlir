// Small functions for dq-run's tests, compiled with --dq-cpu-pipeline.

// c = a + b.
func.func @add(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %c = arith.addf %a, %b : tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// Rows of any count: (a * a, a + a), two results.
func.func @square_double(%a: tensor<?x4xf64>) -> (tensor<?x4xf64>, tensor<?x4xf64>) {
  %s = arith.mulf %a, %a : tensor<?x4xf64>
  %d = arith.addf %a, %a : tensor<?x4xf64>
  return %s, %d : tensor<?x4xf64>, tensor<?x4xf64>
}

// The identity: the result aliases the argument after bufferization.
func.func @ident(%a: tensor<5xi32>) -> tensor<5xi32> {
  return %a : tensor<5xi32>
}
