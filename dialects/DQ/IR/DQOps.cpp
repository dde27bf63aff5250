//===- DQOps.cpp - dq operations: verifiers and custom parts --------------===//

#include "DQ/IR/DQOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::dq;

#define GET_OP_CLASSES
#include "DQ/IR/DQOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static bool isActivationElementType(Type type) {
  return type.isF32() || type.isF16() || type.isBF16();
}

/// Checks that `value` has exactly `expected` as type.
static LogicalResult verifyPartType(Operation *op, StringRef what, Type actual,
                                    Type expected, WeightType weight) {
  if (actual == expected)
    return success();
  return op->emitOpError() << what << " must be " << expected << " for "
                           << weight << ", got " << actual;
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

/// A constant's data must be a dense_resource blob of the expected type whose
/// byte size (when the blob is present, i.e. not elided) matches that type.
static LogicalResult verifyBlob(Operation *op, StringRef what,
                                ElementsAttr attr, RankedTensorType expected,
                                WeightType weight) {
  auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return op->emitOpError()
           << what << " must be a dense_resource blob, not an inline literal";
  if (failed(verifyPartType(op, Twine(what).concat(" type").str(),
                            resource.getType(), expected, weight)))
    return failure();
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return success(); // Elided data: nothing to measure.
  int64_t elementBytes =
      (expected.getElementType().getIntOrFloatBitWidth() + 7) / 8;
  int64_t needed = expected.getNumElements() * elementBytes;
  int64_t held = blob->getData().size();
  if (held != needed)
    return op->emitOpError()
           << what << " blob '" << resource.getRawHandle().getKey()
           << "' holds " << held << " bytes; " << expected << " needs "
           << needed;
  return success();
}

LogicalResult ConstantOp::verify() {
  WeightType weight = getWeightType();
  if (failed(verifyBlob(*this, "packed", getPacked(),
                        weight.getPackedTensorType(), weight)) ||
      failed(verifyBlob(*this, "scale", getScale(),
                        weight.getStoredScaleTensorType(), weight)) ||
      failed(verifyBlob(*this, "offset", getOffset(),
                        weight.getStoredScaleTensorType(), weight)))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// BuildOp and SplitOp
//===----------------------------------------------------------------------===//

/// Build and split exchange logical tensors; a target layout only exists in
/// constants that a packing pass wrote.
static LogicalResult verifyLogicalLayout(Operation *op, WeightType weight) {
  if (weight.isRowMajor())
    return success();
  return op->emitOpError()
         << "needs a row_major weight; layout "
         << weight.getLayout().getLayoutName()
         << " exists only in dq.constant (written by --dq-pack-weights)";
}

LogicalResult BuildOp::verify() {
  return verifyLogicalLayout(*this, llvm::cast<WeightType>(getType()));
}

LogicalResult SplitOp::verify() {
  return verifyLogicalLayout(*this,
                             llvm::cast<WeightType>(getWeight().getType()));
}

LogicalResult
SplitOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                          ValueRange operands, DictionaryAttr, OpaqueProperties,
                          RegionRange,
                          SmallVectorImpl<Type> &inferredReturnTypes) {
  auto weight = llvm::dyn_cast<WeightType>(operands[0].getType());
  if (!weight)
    return emitOptionalError(location, "expected a !dq.weight operand");
  inferredReturnTypes.push_back(weight.getIntTensorType());
  inferredReturnTypes.push_back(weight.getScaleTensorType());
  inferredReturnTypes.push_back(weight.getScaleTensorType());
  return success();
}

//===----------------------------------------------------------------------===//
// DequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult DequantizeOp::verify() {
  auto weight = llvm::cast<WeightType>(getWeight().getType());
  auto result = llvm::cast<RankedTensorType>(getResult().getType());
  if (!isActivationElementType(result.getElementType()))
    return emitOpError() << "result element type must be f32, f16 or bf16, got "
                         << result.getElementType();
  if (result.getShape() !=
      ArrayRef<int64_t>{weight.getRows(), weight.getCols()})
    return emitOpError() << "result shape must be [" << weight.getRows() << ", "
                         << weight.getCols() << "] for " << weight << ", got "
                         << result;
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  auto weight = llvm::cast<WeightType>(getWeight().getType());
  auto input = llvm::cast<RankedTensorType>(getInput().getType());
  auto result = llvm::cast<RankedTensorType>(getResult().getType());
  if (!isActivationElementType(input.getElementType()))
    return emitOpError()
           << "activation element type must be f32, f16 or bf16, got "
           << input.getElementType();
  if (input.getRank() < 1)
    return emitOpError() << "activation must have rank >= 1";
  int64_t k = input.getShape().back();
  if (k != weight.getCols())
    return emitOpError() << "activation's last dimension must be K = "
                         << weight.getCols() << ", got "
                         << (ShapedType::isDynamic(k) ? std::string("?")
                                                      : std::to_string(k));
  if (result.getElementType() != input.getElementType())
    return emitOpError() << "result element type " << result.getElementType()
                         << " must match the activation's "
                         << input.getElementType();
  SmallVector<int64_t> expected(input.getShape());
  expected.back() = weight.getRows();
  if (result.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError() << "result type must be "
                         << RankedTensorType::get(expected,
                                                  input.getElementType())
                         << " (leading dimensions of the activation, then N = "
                         << weight.getRows() << "), got " << result;
  return success();
}

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

namespace {
/// The calibration state that dq.observe accumulates into.
struct CalibrationStateResource
    : public SideEffects::Resource::Base<CalibrationStateResource> {
  StringRef getName() override { return "dq::CalibrationState"; }
};
} // namespace

void ObserveOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  effects.emplace_back(MemoryEffects::Write::get(),
                       CalibrationStateResource::get());
}

LogicalResult ObserveOp::verify() {
  auto input = llvm::cast<RankedTensorType>(getInput().getType());
  if (!isActivationElementType(input.getElementType()))
    return emitOpError() << "observed element type must be f32, f16 or bf16, "
                            "got "
                         << input.getElementType();
  if (input.getRank() < 1)
    return emitOpError() << "observed value must have rank >= 1";
  if (getLayer().empty())
    return emitOpError() << "layer name must not be empty";
  return success();
}

//===----------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------===//

LogicalResult KernelOp::verify() {
  auto operandTypes = getOperation()->getOperandTypes();
  bool tensors = llvm::all_of(operandTypes, llvm::IsaPred<RankedTensorType>);
  bool memrefs = llvm::all_of(operandTypes, llvm::IsaPred<MemRefType>);
  if (!tensors && !memrefs)
    return emitOpError() << "operands must be all ranked tensors (before "
                            "bufferization) or all memrefs (after)";
  return getConfig().verifyKernelOperands([&] { return emitOpError(); },
                                          getInputs().getTypes(),
                                          getOutputs().getTypes());
}

void KernelOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  // On tensors the kernel is a pure function of its operands.
  for (OpOperand &operand : getInputsMutable())
    if (llvm::isa<MemRefType>(operand.get().getType()))
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  for (OpOperand &operand : getOutputsMutable())
    if (llvm::isa<MemRefType>(operand.get().getType()))
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
}

/// `shape` and `elementType` as in a tensor type (`?x64xf32`), for
/// messages about operands that may be tensors or memrefs.
static std::string shapeString(ArrayRef<int64_t> shape, Type elementType) {
  std::string s;
  llvm::raw_string_ostream os(s);
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
    os << "x";
  }
  elementType.print(os);
  return s;
}

/// Checks shape and element type of a kernel operand, whatever its kind
/// (tensor or memref).
static LogicalResult
verifyKernelOperand(function_ref<InFlightDiagnostic()> emitError,
                    StringRef what, Type actual, ArrayRef<int64_t> shape,
                    Type elementType) {
  auto shaped = llvm::cast<ShapedType>(actual);
  bool matches = shaped.hasRank() && shaped.getElementType() == elementType &&
                 succeeded(verifyCompatibleShape(shaped.getShape(), shape));
  if (matches)
    return success();
  return emitError() << what << " must be " << shapeString(shape, elementType)
                     << ", got " << actual;
}

LogicalResult mlir::dq::verifyMatmulKernelOperands(
    function_ref<InFlightDiagnostic()> emitError, WeightType weight,
    int64_t outputCols, TypeRange inputs, TypeRange outputs) {
  if (inputs.size() != 4 || outputs.size() != 1)
    return emitError() << "a matmul kernel takes 4 inputs (activations, "
                          "packed, scale, offset) and 1 output, got "
                       << inputs.size() << " and " << outputs.size();
  auto x = llvm::cast<ShapedType>(inputs[0]);
  Type act = x.getElementType();
  if (!isActivationElementType(act))
    return emitError() << "activation element type must be f32, f16 or bf16, "
                          "got "
                       << act;
  int64_t m =
      x.hasRank() && x.getRank() == 2 ? x.getDimSize(0) : ShapedType::kDynamic;
  RankedTensorType packed = weight.getPackedTensorType();
  RankedTensorType params = weight.getStoredScaleTensorType();
  if (failed(verifyKernelOperand(emitError, "activations", inputs[0],
                                 {m, weight.getCols()}, act)) ||
      failed(verifyKernelOperand(emitError, "packed", inputs[1],
                                 packed.getShape(), packed.getElementType())) ||
      failed(verifyKernelOperand(emitError, "scale", inputs[2],
                                 params.getShape(), params.getElementType())) ||
      failed(verifyKernelOperand(emitError, "offset", inputs[3],
                                 params.getShape(), params.getElementType())) ||
      failed(verifyKernelOperand(emitError, "output", outputs[0],
                                 {m, outputCols}, act)))
    return failure();
  return success();
}
