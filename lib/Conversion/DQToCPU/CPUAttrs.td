//===- CPUAttrs.td - the dq_cpu dialect: CPU backend attributes -*- tablegen -*-===//
//
// The layout the CPU kernels of --dq-cpu-pipeline read and the configuration
// of those kernels. They live beside the kernels, in a dialect of their own,
// so that dialects/ lists none.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_DQTOCPU_CPUATTRS_TD
#define DQ_CONVERSION_DQTOCPU_CPUATTRS_TD

include "DQ/IR/DQInterfaces.td"
include "DQ/IR/DQParameters.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def DQCPU_Dialect : Dialect {
  let name = "dq_cpu";
  let cppNamespace = "::mlir::dq_cpu";
  let summary = "Weight layouts and kernel configurations of dq's CPU kernels";
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

def DQCPU_Target : I32EnumAttr<"CPUTarget", "instruction set of a kernel", [
    I32EnumAttrCase<"AVX512", 0, "avx512">,
    I32EnumAttrCase<"AVX2", 1, "avx2">,
    I32EnumAttrCase<"Generic", 2, "generic">]> {
  let cppNamespace = "::mlir::dq_cpu";
  let genSpecializedAttr = 0;
}

def DQCPU_MatmulConfigAttr : AttrDef<DQCPU_Dialect, "MatmulConfig",
    [DeclareAttrInterfaceMethods<DQ_KernelConfigAttrInterface>]> {
  let mnemonic = "matmul";
  let summary = "The configuration of a CPU matmul kernel on an n16k4 weight";
  let description = [{
    The `config` of a `dq.kernel` that `--dq-lower-matmul-cpu` creates for
    a `dq.matmul` and `--dq-build-cpu-kernels` generates:

    - `weight`: the `!dq.weight` (in the `n16k4` layout) the kernel reads;
    - `target`: the instruction set, `avx512` (with VNNI), `avx2` (with FMA
      and F16C) or `generic` (plain vector code);
    - `int8`: the int8 route (activations quantized per row and group,
      integer dot products) instead of the exact f32 one; the i32 sums of a
      group must not overflow, which bounds the group length;
    - `m_block`: activation rows per register block, 1, 2, 4 or 8;
    - `parallel`: row tiles split across threads (`scf.parallel`).

    The kernel's operands are the activations `[M, K]` (f32, f16 or bf16),
    the packed integer part, scale and offset in the n16k4 layout, and the
    output `[M, 16 * ceil(N / 16)]` of the activation type (rows of the
    last tile past N are padding).

    Example:

    ```mlir
    #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32,
      scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false,
      m_block = 8, parallel = true>
    ```
  }];
  let parameters = (ins DQ_WeightParameter:$weight,
      EnumParameter<DQCPU_Target>:$target, DQ_FlagParameter:$int8,
      "unsigned":$m_block, DQ_FlagParameter:$parallel);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // DQ_CONVERSION_DQTOCPU_CPUATTRS_TD
