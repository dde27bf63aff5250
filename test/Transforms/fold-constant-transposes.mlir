// RUN: dq-opt --dq-fold-constant-transposes --split-input-file %s | FileCheck %s

// A 2-D float constant: the transposed data, checked against the values
// written out by hand (f32 little-endian: 1, 4, 2, 5, 3, 6).
// CHECK-LABEL: func.func @f32_2d
// CHECK-NOT:     linalg.transpose
// CHECK:         %[[T:.*]] = arith.constant dense_resource<[[BLOB:transposed[_0-9]*]]> : tensor<3x2xf32>
// CHECK:         return %[[T]]
// CHECK:       [[BLOB]]: "0x{{[0-9A-F]+}}0000803F00008040000000400000A040000040400000C040"
func.func @f32_2d() -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}

// -----

// A 3-D permutation of a dense_resource blob of bytes: out[i][j][k] =
// in[j][k][i] with in[a][b][c] = 6a + 3b + c, written out by hand.
// CHECK-LABEL: func.func @i8_3d
// CHECK:         arith.constant dense_resource<[[BLOB:w.transposed[_0-9]*]]> : tensor<3x2x2xi8>
// CHECK:       [[BLOB]]: "0x{{[0-9A-F]+}}000306090104070A0205080B"
func.func @i8_3d() -> tensor<3x2x2xi8> {
  %w = arith.constant dense_resource<w> : tensor<2x2x3xi8>
  %e = tensor.empty() : tensor<3x2x2xi8>
  %t = linalg.transpose ins(%w : tensor<2x2x3xi8>) outs(%e : tensor<3x2x2xi8>) permutation = [2, 0, 1]
  return %t : tensor<3x2x2xi8>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x01000000000102030405060708090A0B"
    }
  }
#-}

// -----

// Left alone: a splat (no bytes to permute; the canonicalizer folds it),
// index elements (no fixed byte width), and a transpose of a function
// argument.
// CHECK-LABEL: func.func @left_alone
// CHECK:         linalg.transpose
// CHECK:         linalg.transpose
// CHECK:         linalg.transpose
func.func @left_alone(%a: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<3x2xindex>, tensor<3x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x3xf32>
  %i = arith.constant dense<[[0, 1, 2], [3, 4, 5]]> : tensor<2x3xindex>
  %e = tensor.empty() : tensor<3x2xf32>
  %ei = tensor.empty() : tensor<3x2xindex>
  %t = linalg.transpose ins(%w : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  %v = linalg.transpose ins(%i : tensor<2x3xindex>) outs(%ei : tensor<3x2xindex>) permutation = [1, 0]
  %u = linalg.transpose ins(%a : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t, %v, %u : tensor<3x2xf32>, tensor<3x2xindex>, tensor<3x2xf32>
}
