// Functions the C API tests call, compiled with --dq-cpu-pipeline at build
// time (JIT: functions.ll.mlir; AOT: functions.so).

func.func @add(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %c = arith.addf %a, %b : tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

func.func @square_double(%a: tensor<?x4xf64>) -> (tensor<?x4xf64>, tensor<?x4xf64>) {
  %s = arith.mulf %a, %a : tensor<?x4xf64>
  %d = arith.addf %a, %a : tensor<?x4xf64>
  return %s, %d : tensor<?x4xf64>, tensor<?x4xf64>
}

// The result is the argument itself after bufferization.
func.func @ident(%a: tensor<5xi32>) -> tensor<5xi32> {
  return %a : tensor<5xi32>
}

// A 0-d result.
func.func @sum(%a: tensor<4xi64>) -> tensor<i64> {
  %zero = arith.constant dense<0> : tensor<i64>
  %s = linalg.reduce ins(%a : tensor<4xi64>) outs(%zero : tensor<i64>) dimensions = [0]
    (%x: i64, %acc: i64) {
      %y = arith.addi %x, %acc : i64
      linalg.yield %y : i64
    }
  return %s : tensor<i64>
}
