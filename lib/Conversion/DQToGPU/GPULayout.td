//===- GPULayout.td - the dq_gpu dialect: GPU weight layouts -*- tablegen -*-===//
//
// The layouts the CUDA kernels of --dq-cuda-pipeline read. They live beside
// the kernels, in a dialect of their own, so that dialects/ lists none.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_DQTOGPU_GPULAYOUT_TD
#define DQ_CONVERSION_DQTOGPU_GPULAYOUT_TD

include "DQ/IR/DQInterfaces.td"
include "mlir/IR/AttrTypeBase.td"

def DQGPU_Dialect : Dialect {
  let name = "dq_gpu";
  let cppNamespace = "::mlir::dq_gpu";
  let summary = "Weight layouts of dq's CUDA kernels";
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

#endif // DQ_CONVERSION_DQTOGPU_GPULAYOUT_TD
