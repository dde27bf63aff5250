// RUN: dq-opt %s --dq-lower-matmul-cuda --split-input-file --verify-diagnostics
// RUN: not dq-opt %s --dq-lower-matmul-cuda="tile-m=48" 2>&1 | FileCheck %s --check-prefix=TILEM
// RUN: not dq-opt %s --dq-lower-matmul-cuda="tile-n=8" 2>&1 | FileCheck %s --check-prefix=TILEN
// RUN: not dq-opt %s --dq-lower-matmul-cuda="gemv-max-m=9" 2>&1 | FileCheck %s --check-prefix=GEMV
// RUN: not dq-opt %s --dq-lower-matmul-cuda="rows-per-warp=0" 2>&1 | FileCheck %s --check-prefix=ROWS
// RUN: not dq-opt %s --dq-lower-matmul-cuda="warps=33" 2>&1 | FileCheck %s --check-prefix=WARPS
// RUN: not dq-opt %s --dq-lower-matmul-cuda="repeat=0" 2>&1 | FileCheck %s --check-prefix=REPEAT

// TILEM: --dq-lower-matmul-cuda: tile-m must be 32, 64 or 128, got 48
// TILEN: --dq-lower-matmul-cuda: tile-n must be 16, 32, 64 or 128, got 8
// GEMV: --dq-lower-matmul-cuda: gemv-max-m must be 0 to 8, got 9
// ROWS: --dq-lower-matmul-cuda: rows-per-warp must be 1 to 8, got 0
// WARPS: --dq-lower-matmul-cuda: warps must be 1 to 32, got 33
// REPEAT: --dq-lower-matmul-cuda: repeat must be at least 1

// A weight in the logical layout has no CUDA kernel, wherever it comes from.
func.func @argument(%x: tensor<1x16xf16>,
    %w: !dq.weight<[2, 16], bits = 2, group = 16, scale = f16>) -> tensor<1x2xf16> {
  // expected-error @+1 {{'dq.matmul' op has a weight in the row_major layout; the CUDA kernels read gpu_chunked (--dq-pack-weights=layout=gpu_chunked repacks constants used only by dq.matmul)}}
  %y = dq.matmul %x, %w : tensor<1x16xf16>, !dq.weight<[2, 16], bits = 2, group = 16, scale = f16> -> tensor<1x2xf16>
  return %y : tensor<1x2xf16>
}

// -----

func.func @built(%x: tensor<1x16xf16>, %q: tensor<2x16xi2>, %s: tensor<2x1xf16>,
    %z: tensor<2x1xf16>) -> tensor<1x2xf16> {
  %w = dq.build %q, %s, %z : !dq.weight<[2, 16], bits = 2, group = 16, scale = f16>
  // expected-error @+1 {{'dq.matmul' op has a weight in the row_major layout; the CUDA kernels read gpu_chunked}}
  %y = dq.matmul %x, %w : tensor<1x16xf16>, !dq.weight<[2, 16], bits = 2, group = 16, scale = f16> -> tensor<1x2xf16>
  return %y : tensor<1x2xf16>
}

// -----

// A gpu_chunked weight may only reach dq.matmul (and cross function and
// region boundaries): nothing dequantizes the GPU layout.
func.func @dequantized(%w: !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked>) -> tensor<2x16xf32> {
  // expected-error @+1 {{'dq.dequantize' op uses a gpu_chunked weight in a way --dq-lower-matmul-cuda cannot lower; such weights may only reach dq.matmul, function arguments and results, func.call, scf control flow and cf branches}}
  %f = dq.dequantize %w : !dq.weight<[2, 16], bits = 2, group = 16, scale = f16, layout = #dq_gpu.chunked> -> tensor<2x16xf32>
  return %f : tensor<2x16xf32>
}

// -----

// Not repacked (e.g. --dq-pack-weights not run, or the constant has other
// users than dq.matmul).
func.func @row_major(%x: tensor<1x16xf16>) -> tensor<1x2xf16> {
  %w = dq.constant packed(dense_resource<q> : tensor<2x4xi8>)
         scale(dense_resource<s> : tensor<2x1xf16>)
         offset(dense_resource<z> : tensor<2x1xf16>)
         : !dq.weight<[2, 16], bits = 2, group = 16, scale = f16>
  // expected-error @+1 {{'dq.matmul' op has a weight in the row_major layout; the CUDA kernels read gpu_chunked (--dq-pack-weights=layout=gpu_chunked repacks constants used only by dq.matmul)}}
  %y = dq.matmul %x, %w : tensor<1x16xf16>, !dq.weight<[2, 16], bits = 2, group = 16, scale = f16> -> tensor<1x2xf16>
  return %y : tensor<1x2xf16>
}
