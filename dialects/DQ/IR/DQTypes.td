//===- DQTypes.td - dq types and attributes ----------------*- tablegen -*-===//

#ifndef DQ_IR_DQTYPES_TD
#define DQ_IR_DQTYPES_TD

include "DQ/IR/DQDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def DQ_Layout : I32EnumAttr<"Layout", "storage layout of the packed integers",
    [I32EnumAttrCase<"RowMajor", 0, "row_major">,
     I32EnumAttrCase<"N16K4", 1, "n16k4">]> {
  let cppNamespace = "::mlir::dq";
  let genSpecializedAttr = 0;
}

def DQ_LayoutAttr : EnumAttr<DQ_Dialect, DQ_Layout, "layout"> {
  let summary = "Storage layout of a weight's packed integer part";
  let description = [{
    `row_major`: row `n` of `Q` occupies `ceil(K * bits / 8)` consecutive
    bytes. Inside a row, element `k` is the two's-complement `bits`-bit field
    at bit offset `k * bits` of the row's little-endian bit stream (bit 0 is
    the least significant bit of the row's first byte). At 3 bits a field may
    straddle two bytes. Padding bits at the end of a row are zero. Scale and
    offset are `tensor<N x K/group x F>`.

    `n16k4`: the CPU layout written by `--dq-pack-weights` for the kernels of
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

class DQ_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<DQ_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def DQ_WeightType : DQ_Type<"Weight", "weight"> {
  let summary = "A decoupled low-bit weight matrix W = s * Q + z";
  let description = [{
    Logical shape `[N, K]` (rows = output features, columns = input features,
    the torch `Linear` convention), the bit width of the integer part `Q`
    (2, 3, 4 or 8), the group size along K (it must divide K; `group = K`
    is per-channel: one scale/offset pair per row), the float type of scale
    and offset (f16, bf16 or f32) and the storage layout of the packed
    integers (printed only when it is not `row_major`).

    Example:

    ```mlir
    !dq.weight<[4096, 4096], bits = 2, group = 64, scale = f16>
    ```
  }];
  let parameters = (ins "int64_t":$rows, "int64_t":$cols, "unsigned":$bits,
      "int64_t":$group, "::mlir::Type":$scaleType,
      DefaultValuedParameter<"::mlir::dq::Layout",
          "::mlir::dq::Layout::RowMajor">:$layout);
  let assemblyFormat = [{
    `<` `[` $rows `,` $cols `]` `,` `bits` `=` $bits `,` `group` `=` $group
    `,` `scale` `=` $scaleType (`,` `layout` `=` $layout^)? `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Number of scale/offset groups per row (K / group).
    int64_t getNumGroups() const { return getCols() / getGroup(); }
    /// True when there is one scale/offset pair per row.
    bool isPerChannel() const { return getGroup() == getCols(); }
    /// Smallest and largest value of the signed integer part.
    int64_t getMinInt() const { return -(int64_t(1) << (getBits() - 1)); }
    int64_t getMaxInt() const { return (int64_t(1) << (getBits() - 1)) - 1; }
    /// Bytes of one packed row in the row_major layout.
    int64_t getPackedRowBytes() const {
      return (getCols() * getBits() + 7) / 8;
    }
    /// tensor<N x K x iB>: the logical integer part.
    ::mlir::RankedTensorType getIntTensorType() const;
    /// tensor<N x K/group x F>: the logical scale or offset.
    ::mlir::RankedTensorType getScaleTensorType() const;
    /// The packed storage in this type's layout: tensor<N x packed-row-bytes
    /// x i8> for row_major.
    ::mlir::RankedTensorType getPackedTensorType() const;
    /// The stored scale or offset in this type's layout (the logical
    /// tensor for row_major).
    ::mlir::RankedTensorType getStoredScaleTensorType() const;
    /// The same weight in another storage layout.
    WeightType withLayout(::mlir::dq::Layout layout) const;
  }];
}

#endif // DQ_IR_DQTYPES_TD
