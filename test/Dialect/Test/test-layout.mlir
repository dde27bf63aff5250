// A layout defined outside dialects/ (test/lib/Dialect/TestLayout.cpp):
// weights in it parse, print, round-trip and verify through
// WeightLayoutAttrInterface, and --dq-pack-weights finds it by name.
// RUN: dq-opt %s --split-input-file | FileCheck %s
// RUN: dq-opt %s --split-input-file | dq-opt --split-input-file | FileCheck %s
// RUN: dq-opt %s --split-input-file --verify-diagnostics --dq-pack-weights=layout=test_transposed | FileCheck %s --check-prefix=PACK

// CHECK-LABEL: func.func @constant
// CHECK: dq.constant packed(dense_resource<q> : tensor<8x1xi8>) scale(dense_resource<s> : tensor<4x2xf16>) offset(dense_resource<z> : tensor<4x2xf16>) : !dq.weight<[4, 8], bits = 2, group = 4, scale = f16, layout = #dq_test.transposed>
func.func @constant() -> !dq.weight<[4, 8], bits = 2, group = 4, scale = f16, layout = #dq_test.transposed> {
  %w = dq.constant packed(dense_resource<q> : tensor<8x1xi8>)
         scale(dense_resource<s> : tensor<4x2xf16>)
         offset(dense_resource<z> : tensor<4x2xf16>)
         : !dq.weight<[4, 8], bits = 2, group = 4, scale = f16, layout = #dq_test.transposed>
  return %w : !dq.weight<[4, 8], bits = 2, group = 4, scale = f16, layout = #dq_test.transposed>
}

// -----

// --dq-pack-weights=layout=test_transposed writes column k of Q into byte k:
// the fields of row 0 are -2, -1, 0, 1, then zeros (two's complement).
// PACK-LABEL: func.func @pack
// PACK: dq.constant packed(dense_resource<q_test_transposed> : tensor<16x1xi8>)
// PACK-SAME: scale(dense_resource<s_test_transposed> : tensor<1x1xf16>)
// PACK-SAME: layout = #dq_test.transposed>
// PACK: q_test_transposed: "0x{{[0-9A-F]+}}02030001000000000000000000000000"
func.func @pack(%x: tensor<2x16xf32>) -> tensor<2x1xf32> {
  %w = dq.constant packed(dense_resource<q> : tensor<1x4xi8>)
         scale(dense_resource<s> : tensor<1x1xf16>)
         offset(dense_resource<z> : tensor<1x1xf16>)
         : !dq.weight<[1, 16], bits = 2, group = 16, scale = f16>
  %y = dq.matmul %x, %w : tensor<2x16xf32>, !dq.weight<[1, 16], bits = 2, group = 16, scale = f16> -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x010000004E000000",
      s: "0x10000000003C",
      z: "0x1000000000BC"
    }
  }
#-}
