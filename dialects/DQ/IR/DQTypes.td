//===- DQTypes.td - dq types and attributes ----------------*- tablegen -*-===//

#ifndef DQ_IR_DQTYPES_TD
#define DQ_IR_DQTYPES_TD

include "DQ/IR/DQDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "DQ/IR/DQInterfaces.td"

class DQ_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<DQ_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def DQ_RowMajorAttr : DQ_Attr<"RowMajor", "row_major",
    [DeclareAttrInterfaceMethods<DQ_WeightLayoutAttrInterface,
        ["getFieldBias"]>]> {
  let summary = "The logical storage layout of a weight's packed integers";
  let description = [{
    Row `n` of `Q` occupies `ceil(K * bits / 8)` consecutive bytes. Inside a
    row, element `k` is the two's-complement `bits`-bit field at bit offset
    `k * bits` of the row's little-endian bit stream (bit 0 is the least
    significant bit of the row's first byte). At 3 bits a field may straddle
    two bytes. Padding bits at the end of a row are zero. Scale and offset
    are `tensor<N x K/group x F>`.

    It is the layout of a `!dq.weight` that names none; the type prints it
    by omitting `layout = ...`. The other layouts are attributes of the
    backends' own dialects (`#dq_cpu.n16k4`, `#dq_gpu.chunked`), written by
    `--dq-pack-weights`; docs/decoupled-format.md describes them.
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
    integers: an attribute implementing `WeightLayoutAttrInterface`, printed
    only when it is not `#dq.row_major`.

    Example:

    ```mlir
    !dq.weight<[4096, 4096], bits = 2, group = 64, scale = f16>
    !dq.weight<[4096, 4096], bits = 4, group = 128, scale = f16,
               layout = #dq_cpu.n16k4>
    ```
  }];
  let parameters = (ins "int64_t":$rows, "int64_t":$cols, "unsigned":$bits,
      "int64_t":$group, "::mlir::Type":$scaleType,
      DefaultValuedParameter<"::mlir::dq::WeightLayoutAttrInterface",
          "::mlir::dq::RowMajorAttr::get($_ctxt)">:$layout);
  let builders = [
    TypeBuilder<(ins "int64_t":$rows, "int64_t":$cols, "unsigned":$bits,
        "int64_t":$group, "::mlir::Type":$scaleType), [{
      return $_get($_ctxt, rows, cols, bits, group, scaleType,
                   ::mlir::dq::RowMajorAttr::get($_ctxt));
    }]>
  ];
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
    WeightType withLayout(::mlir::dq::WeightLayoutAttrInterface layout) const;
    /// True for the logical layout (row_major).
    bool isRowMajor() const;
  }];
}

#endif // DQ_IR_DQTYPES_TD
