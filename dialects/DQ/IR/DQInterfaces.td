//===- DQInterfaces.td - dq attribute interfaces -----------*- tablegen -*-===//
//
// The storage layout of a weight's packed integers is an attribute
// implementing WeightLayoutAttrInterface. The dq dialect defines the
// interface and row_major; every other layout lives beside the backend whose
// kernels read it, so a new layout needs no change to dialects/. Likewise
// the configuration of a dq.kernel is an attribute implementing
// KernelConfigAttrInterface, defined beside the backend that generates the
// kernel.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_IR_DQINTERFACES_TD
#define DQ_IR_DQINTERFACES_TD

include "mlir/IR/OpBase.td"

def DQ_WeightLayoutAttrInterface : AttrInterface<"WeightLayoutAttrInterface"> {
  let cppNamespace = "::mlir::dq";
  let description = [{
    The storage layout of a `!dq.weight`'s packed integer part and of its
    stored scale and offset. The weight type asks its layout for the tensor
    types that `dq.constant` must hold and lets it reject shapes it cannot
    store; `--dq-pack-weights` finds a layout by its name and packs through
    it.
  }];
  let methods = [
    InterfaceMethod<[{
        The short name used in messages and by `--dq-pack-weights=layout=`
        (for example `row_major`); also the suffix of repacked blob names.
      }], "::llvm::StringRef", "getLayoutName", (ins)>,
    InterfaceMethod<[{
        Rejects a weight of this logical shape the layout cannot store.
        Called after the layout-independent checks of the weight type passed.
      }], "::llvm::LogicalResult", "verifyWeight",
      (ins "::llvm::function_ref<::mlir::InFlightDiagnostic()>":$emitError,
           "int64_t":$rows, "int64_t":$cols, "unsigned":$bits,
           "int64_t":$group, "::mlir::Type":$scaleType),
      /*methodBody=*/"", /*defaultImplementation=*/[{
        return ::mlir::success();
      }]>,
    InterfaceMethod<[{
        The tensor type of the packed integer part (always of i8).
      }], "::mlir::RankedTensorType", "getPackedType",
      (ins "::mlir::dq::WeightType":$weight)>,
    InterfaceMethod<[{
        The tensor type of the stored scale and of the stored offset.
      }], "::mlir::RankedTensorType", "getStoredScaleType",
      (ins "::mlir::dq::WeightType":$weight)>,
    InterfaceMethod<[{
        What a field holds: the signed value `Q` stored two's complement
        (bias 0) or the offset-binary value `u = Q + bias` (unsigned).
      }], "int64_t", "getFieldBias", (ins "unsigned":$bits),
      /*methodBody=*/"", /*defaultImplementation=*/[{
        return int64_t(1) << (bits - 1);
      }]>,
    InterfaceMethod<[{
        Packs the signed row-major integers `q` ([rows x cols]) of `weight`
        (the weight in this layout) into `out`, which holds
        `getPackedType(weight)`'s bytes. A layout that packing passes never
        write leaves the default, an error.
      }], "::llvm::Error", "packInts",
      (ins "::mlir::dq::WeightType":$weight,
           "::llvm::ArrayRef<int8_t>":$q,
           "::llvm::MutableArrayRef<uint8_t>":$out),
      /*methodBody=*/"", /*defaultImplementation=*/[{
        return ::llvm::createStringError(
            "layout " + $_attr.getLayoutName() + " cannot be packed into");
      }]>,
    InterfaceMethod<[{
        Rearranges a row-major [rows x cols/group] scale or offset of
        `elemBytes`-byte elements into `out`, which holds
        `getStoredScaleType(weight)`'s bytes. The default copies: the stored
        scale is the logical one.
      }], "::llvm::Error", "packParams",
      (ins "::mlir::dq::WeightType":$weight,
           "::llvm::ArrayRef<uint8_t>":$in, "int64_t":$elemBytes,
           "::llvm::MutableArrayRef<uint8_t>":$out),
      /*methodBody=*/"", /*defaultImplementation=*/[{
        if ($_attr.getStoredScaleType(weight).getNumElements() * elemBytes !=
                int64_t(out.size()) || in.size() != out.size())
          return ::llvm::createStringError(
              "scale/offset has " + ::llvm::Twine(in.size()) +
              " bytes; expected " + ::llvm::Twine(out.size()));
        ::llvm::copy(in, out.begin());
        return ::llvm::Error::success();
      }]>,
  ];
}

def DQ_KernelConfigAttrInterface : AttrInterface<"KernelConfigAttrInterface"> {
  let cppNamespace = "::mlir::dq";
  let description = [{
    How a backend computes a `dq.kernel`: the typed parameters its kernel
    generator reads (the weight it works on, instruction set, route, tile
    sizes), in the manner of IREE's lowering configurations. The attribute
    verifies its own parameters; the kernel op asks it to check its
    operands, before and after bufferization.
  }];
  let methods = [
    InterfaceMethod<[{
        Checks the operand types of a `dq.kernel` with this configuration:
        `inputs` and `outputs` are all ranked tensors (before
        bufferization) or all memrefs (after).
      }], "::llvm::LogicalResult", "verifyKernelOperands",
      (ins "::llvm::function_ref<::mlir::InFlightDiagnostic()>":$emitError,
           "::mlir::TypeRange":$inputs, "::mlir::TypeRange":$outputs)>,
  ];
}

#endif // DQ_IR_DQINTERFACES_TD
