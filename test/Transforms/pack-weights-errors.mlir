// RUN: dq-opt %s --dq-pack-weights --split-input-file --verify-diagnostics
// RUN: not dq-opt %s --dq-pack-weights="layout=tiled" 2>&1 | FileCheck %s --check-prefix=LAYOUT

// LAYOUT: --dq-pack-weights: unknown layout 'tiled'; known layouts: gpu_chunked, n16k4

// Elided data (e.g. printed with --mlir-elide-resource-strings-if-larger)
// cannot be repacked.
func.func @elided(%x: tensor<2x16xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{'dq.constant' op packed blob 'q' has no data (elided); cannot repack it}}
  %w = dq.constant packed(dense_resource<q> : tensor<1x4xi8>)
         scale(dense_resource<s> : tensor<1x1xf16>)
         offset(dense_resource<z> : tensor<1x1xf16>)
         : !dq.weight<[1, 16], bits = 2, group = 16, scale = f16>
  %y = dq.matmul %x, %w : tensor<2x16xf32>, !dq.weight<[1, 16], bits = 2, group = 16, scale = f16> -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}
