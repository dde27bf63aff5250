//===- CPULayout.td - the dq_cpu dialect: CPU weight layouts -*- tablegen -*-===//
//
// The layouts the CPU kernels of --dq-cpu-pipeline read. They live beside
// the kernels, in a dialect of their own, so that dialects/ lists none.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_DQTOCPU_CPULAYOUT_TD
#define DQ_CONVERSION_DQTOCPU_CPULAYOUT_TD

include "DQ/IR/DQInterfaces.td"
include "mlir/IR/AttrTypeBase.td"

def DQCPU_Dialect : Dialect {
  let name = "dq_cpu";
  let cppNamespace = "::mlir::dq_cpu";
  let summary = "Weight layouts of dq's CPU kernels";
  let useDefaultAttributePrinterParser = 1;
}

def DQCPU_N16K4Attr : AttrDef<DQCPU_Dialect, "N16K4",
    [DeclareAttrInterfaceMethods<DQ_WeightLayoutAttrInterface,
        ["packInts", "packParams"]>]> {
  let mnemonic = "n16k4";
  let summary = "The CPU layout: tiles of 16 rows, 4 columns per byte";
  let description = [{
    Written by `--dq-pack-weights` (`layout=n16k4`) for the kernels of
    `--dq-cpu-pipeline`. Rows are taken in tiles of 16 and each group of
    `group` columns is padded to a multiple of the chunk width `C` (16, 32, 8
    and 4 columns at 2, 3, 4 and 8 bits). Fields hold the offset-binary value
    `u = Q + 2^(bits-1)` (unsigned); padding fields are 0. A tile's bytes are
    its groups in order, a group's bytes its chunks in order; a chunk is one
    64-byte plane per bit pair (three at 3 bits) of sixteen 32-bit words,
    word `l` belonging to row `l` of the tile, and byte `t` of that word holds
    the columns `4j + t` of the chunk in its field `j` (bits `bits*j` and up).
    At 3 bits the first two planes hold the low two bits of columns 0-15 and
    16-31 in that arrangement and the third plane holds bit 2, column
    `4j + t` in bit `j` of byte `t`. Packed storage is `tensor<ceil(N/16) x
    bytes-per-tile x i8>`; scale and offset are `tensor<ceil(N/16) x K/group x
    16 x F>` (rows past N hold zeros). docs/decoupled-format.md has a worked
    example.
  }];
}

#endif // DQ_CONVERSION_DQTOCPU_CPULAYOUT_TD
