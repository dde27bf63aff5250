//===- GPUAttrs.td - the dq_gpu dialect: GPU backend attributes -*- tablegen -*-===//
//
// The layout the CUDA kernels of --dq-cuda-pipeline read and the
// configuration of those kernels. They live beside the kernels, in a dialect
// of their own, so that dialects/ lists none.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_DQTOGPU_GPUATTRS_TD
#define DQ_CONVERSION_DQTOGPU_GPUATTRS_TD

include "DQ/IR/DQInterfaces.td"
include "DQ/IR/DQParameters.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def DQGPU_Dialect : Dialect {
  let name = "dq_gpu";
  let cppNamespace = "::mlir::dq_gpu";
  let summary = "Weight layouts and kernel configurations of dq's CUDA kernels";
  let useDefaultAttributePrinterParser = 1;
}

def DQGPU_ChunkedAttr : AttrDef<DQGPU_Dialect, "Chunked",
    [DeclareAttrInterfaceMethods<DQ_WeightLayoutAttrInterface,
        ["packInts"]>]> {
  let mnemonic = "chunked";
  let summary = "The GPU layout: rows of 16-byte chunks";
  let description = [{
    Written by `--dq-pack-weights=layout=gpu_chunked` for the kernels of
    `--dq-cuda-pipeline`. Rows stay in order; each group of `group` columns
    is padded to whole chunks, a chunk being 64, 32, 32 and 16 columns at 2,
    3, 4 and 8 bits stored in four 32-bit little-endian words (three at 3
    bits), so that one lane reads a chunk with one 16-byte load. Fields hold
    `u = Q + 2^(bits-1)`; padding fields are 0. At 2, 4 and 8 bits column
    `e` of a chunk is field `e mod F` of word `e div F` (`F = 32 / bits`
    fields per word, field `j` at bits `bits*j` and up). At 3 bits words 0
    and 1 hold the low two bits of columns 0-15 and 16-31 that way and word
    2 holds bit 2 of column `e` in its bit `e`. Packed storage is
    `tensor<N x row-bytes x i8>` with `row-bytes = K/group * ceil(group /
    chunk) * chunk-bytes`; scale and offset are `tensor<N x K/group x F>` as
    in `row_major`.
  }];
}

def DQGPU_Route : I32EnumAttr<"CUDARoute", "kernel of a CUDA matmul", [
    I32EnumAttrCase<"GEMV", 0, "gemv">,
    I32EnumAttrCase<"GEMM", 1, "gemm">]> {
  let cppNamespace = "::mlir::dq_gpu";
  let genSpecializedAttr = 0;
}

def DQGPU_MatmulConfigAttr : AttrDef<DQGPU_Dialect, "MatmulConfig",
    [DeclareAttrInterfaceMethods<DQ_KernelConfigAttrInterface>]> {
  let mnemonic = "matmul";
  let summary = "The configuration of a CUDA matmul on a gpu_chunked weight";
  let description = [{
    The `config` of a `dq.kernel` that `--dq-lower-matmul-cuda` creates for
    a `dq.matmul`. Its callee is a host function that
    `--dq-build-cuda-kernels` writes (copies, launches) with the GPU
    kernels it launches:

    - `weight`: the `!dq.weight` (in the `gpu_chunked` layout) it reads;
    - `route`: `gemv` (one warp per `rows_per_warp` output rows, `warps`
      warps per block, `m_block` activation rows per block row) or `gemm`
      (tensor cores, block tiles of `tile_m` x `tile_n`; f16 or bf16
      activations only);
    - `m_block` 1 to 8, `rows_per_warp` 1 to 8, `warps` 1 to 32, `tile_m`
      32, 64 or 128, `tile_n` 16, 32, 64 or 128;
    - `poison`: the device output is filled with NaN before the launch;
    - `repeat` (at least 1): launches of the matmul kernel per call;
    - `cache_weight`: the weight's device copy is made on the first call
      and kept in module globals (for a constant weight: the host function
      is then specific to it); otherwise it is copied on every call.

    The kernel's operands are the activations `[M, K]` (f32, f16 or bf16),
    the packed integer part, scale and offset in the gpu_chunked layout,
    and the output `[M, N]` of the activation type.
  }];
  let parameters = (ins DQ_WeightParameter:$weight,
      EnumParameter<DQGPU_Route>:$route, "unsigned":$m_block,
      "unsigned":$rows_per_warp, "unsigned":$warps, "unsigned":$tile_m,
      "unsigned":$tile_n, DQ_FlagParameter:$poison, "unsigned":$repeat,
      DQ_FlagParameter:$cache_weight);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // DQ_CONVERSION_DQTOGPU_GPUATTRS_TD
