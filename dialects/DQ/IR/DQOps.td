//===- DQOps.td - dq operations ----------------------------*- tablegen -*-===//

#ifndef DQ_IR_DQOPS_TD
#define DQ_IR_DQOPS_TD

include "DQ/IR/DQDialect.td"
include "DQ/IR/DQTypes.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// The C++ type stays ::mlir::Type so that assembly formats print the full
// `!dq.weight<...>` rather than the stripped `<...>` form.
def DQ_WeightTypeConstraint
    : Type<CPred<"::llvm::isa<::mlir::dq::WeightType>($_self)">, "dq weight">;

class DQ_PartOfWeight<string part, string getter>
    : TypesMatchWith<part # " type matches the weight type", "result", part,
          "::llvm::cast<::mlir::dq::WeightType>($_self)." # getter # "()">;

def DQ_ConstantOp : DQ_Op<"constant", [Pure]> {
  let summary = "A constant decoupled weight held in dense_resource blobs";
  let description = [{
    Materializes a weight from three `dense_resource` blobs: the packed
    integer part (`tensor<N x ceil(K*bits/8) x i8>` in the `row_major`
    layout), the scale and the offset (`tensor<N x K/group x F>`, `F` the
    type's scale type). Blobs keep large weights out of the textual IR.

    Example:

    ```mlir
    %w = dq.constant packed(dense_resource<fc1_q> : tensor<64x32xi8>)
           scale(dense_resource<fc1_s> : tensor<64x4xf16>)
           offset(dense_resource<fc1_z> : tensor<64x4xf16>)
           : !dq.weight<[64, 128], bits = 2, group = 32, scale = f16>
    ```
  }];
  let arguments = (ins ElementsAttr:$packed, ElementsAttr:$scale,
      ElementsAttr:$offset);
  let results = (outs DQ_WeightTypeConstraint:$result);
  let assemblyFormat = [{
    `packed` `(` $packed `)` `scale` `(` $scale `)` `offset` `(` $offset `)`
    attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::dq::WeightType getWeightType() {
      return ::llvm::cast<::mlir::dq::WeightType>(getResult().getType());
    }
  }];
}

def DQ_BuildOp : DQ_Op<"build", [Pure,
    DQ_PartOfWeight<"q", "getIntTensorType">,
    DQ_PartOfWeight<"scale", "getScaleTensorType">,
    DQ_PartOfWeight<"offset", "getScaleTensorType">]> {
  let summary = "Builds a weight from its integer part, scale and offset";
  let description = [{
    `%q` is the logical integer part, `tensor<N x K x iB>` with `B = bits`,
    read as signed. `%scale` and `%offset` are `tensor<N x K/group x F>`.
    The operand types follow from the result type.

    Example:

    ```mlir
    %w = dq.build %q, %s, %z : !dq.weight<[64, 128], bits = 2, group = 32, scale = f16>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$q, AnyRankedTensor:$scale,
      AnyRankedTensor:$offset);
  let results = (outs DQ_WeightTypeConstraint:$result);
  let assemblyFormat = "$q `,` $scale `,` $offset attr-dict `:` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DQ_SplitOp : DQ_Op<"split", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "Splits a weight into its integer part, scale and offset";
  let description = [{
    The inverse of `dq.build`: yields `tensor<N x K x iB>`,
    `tensor<N x K/group x F>` and `tensor<N x K/group x F>`.

    Example:

    ```mlir
    %q, %s, %z = dq.split %w : !dq.weight<[64, 128], bits = 2, group = 32, scale = f16>
    ```
  }];
  let arguments = (ins DQ_WeightTypeConstraint:$weight);
  let results = (outs AnyRankedTensor:$q, AnyRankedTensor:$scale,
      AnyRankedTensor:$offset);
  let assemblyFormat = "$weight attr-dict `:` type($weight)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DQ_DequantizeOp : DQ_Op<"dequantize", [Pure]> {
  let summary = "Expands a weight to a float tensor: W = s * Q + z";
  let description = [{
    The reference semantics of a weight. Each element is computed in f32 as
    `s * Q + z` (scale and offset extended to f32, `Q` exactly representable)
    and then rounded once to the result element type (f32, f16 or bf16).

    Example:

    ```mlir
    %f = dq.dequantize %w : !dq.weight<[64, 128], bits = 2, group = 32, scale = f16>
           -> tensor<64x128xf32>
    ```
  }];
  let arguments = (ins DQ_WeightTypeConstraint:$weight);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$weight attr-dict `:` type($weight) `->` type($result)";
  let hasVerifier = 1;
}

def DQ_MatmulOp : DQ_Op<"matmul", [Pure]> {
  let summary = "Matmul of activations with a transposed decoupled weight";
  let description = [{
    `y[..., n] = sum_k x[..., k] * W[n, k]` (the torch `Linear` convention),
    with `W = dequantize(weight)`. `x` has any number of leading (possibly
    dynamic) batch dimensions and a static last dimension equal to K; the
    result has the same leading dimensions and a last dimension of N.
    Activations are f32, f16 or bf16; the result has the activation's type.
    Products are accumulated in f32.

    Example:

    ```mlir
    %y = dq.matmul %x, %w : tensor<?x128xf16>,
           !dq.weight<[64, 128], bits = 2, group = 32, scale = f16>
           -> tensor<?x64xf16>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DQ_WeightTypeConstraint:$weight);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `,` type($weight) `->`
      type($result)
  }];
  let hasVerifier = 1;
}

def DQ_ObserveOp : DQ_Op<"observe", [
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "Records a layer's input for calibration statistics";
  let description = [{
    Returns its input unchanged. When executed by a calibration run it
    accumulates, for the layer named by `layer`, the Gram matrix of the
    input's rows (`H += X^T X` over all leading dimensions, `X` of shape
    `[T, K]`) and the token count `T`, from which the calibration
    statistics `H / T` are formed. It writes to the calibration state, so it
    is never removed as dead code.

    Example:

    ```mlir
    %x1 = dq.observe %x layer "fc1" : tensor<4x128xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, StrAttr:$layer);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `layer` $layer attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def DQ_KernelOp : DQ_Op<"kernel", [AttrSizedOperandSegments,
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "A call to a generated kernel, configured by a typed attribute";
  let description = [{
    Computes `outputs` from `inputs` with the kernel function `callee`,
    which the backend that defined `config` generates. The operands are the
    stored parts of weights (in the layout the kernel reads) and ordinary
    tensors; the configuration is an attribute of the backend's dialect
    (`#dq_cpu.matmul`, `#dq_gpu.matmul`) that verifies its parameters and
    checks the operands. Modelled on IREE's `ukernel.generic` with a
    `lowering_config`.

    The op is in destination-passing style: before bufferization the
    operands are ranked tensors and the results are the new values of
    `outputs`; after bufferization (through `BufferizableOpInterface`) the
    operands are memrefs, `inputs` are read, `outputs` written in full, and
    there are no results. The backend then writes `callee` and the op
    becomes a `func.call` of it.

    Example (before bufferization):

    ```mlir
    %y = dq.kernel @__dq_matmul_w2g32_20x64_f16_xf32_f32_avx512_mb8_par
           #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32,
             scale = f16, layout = #dq_cpu.n16k4>, target = avx512,
             int8 = false, m_block = 8, parallel = true>
           ins(%x, %q, %s, %z : tensor<6x64xf32>, tensor<2x256xi8>,
               tensor<2x2x16xf16>, tensor<2x2x16xf16>)
           outs(%init : tensor<6x32xf32>) -> tensor<6x32xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
      DQ_KernelConfigAttrInterface:$config,
      Variadic<AnyTypeOf<[AnyRankedTensor, AnyMemRef]>>:$inputs,
      Variadic<AnyTypeOf<[AnyRankedTensor, AnyMemRef]>>:$outputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $callee $config `ins` `(` $inputs `:` type($inputs) `)`
      `outs` `(` $outputs `:` type($outputs) `)` attr-dict
      (`->` type($results)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getOutputsMutable();
    }
  }];
}

#endif // DQ_IR_DQOPS_TD
