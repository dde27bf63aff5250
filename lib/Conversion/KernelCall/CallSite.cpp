//===- CallSite.cpp - the tensor-level call of a matmul kernel ------------===//

#include "dq/Conversion/KernelCall/KernelCall.h"

#include "../DQToLinalg/WeightLowering.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::dq;

Value mlir::dq::buildMatmulKernelCall(
    OpBuilder &b, Location loc, StringRef callee,
    KernelConfigAttrInterface config, Value input, ValueRange storedParts,
    int64_t outputCols, RankedTensorType resultType, StringAttr layer) {
  Value x = collapseToMatrix(b, loc, input);
  auto xType = llvm::cast<RankedTensorType>(x.getType());
  OpFoldResult m = tensor::getMixedSize(b, loc, x, 0);
  Value init = tensor::EmptyOp::create(b, loc, {m, b.getIndexAttr(outputCols)},
                                       xType.getElementType());
  SmallVector<Value> inputs = {x};
  llvm::append_range(inputs, storedParts);
  auto kernel = KernelOp::create(b, loc, TypeRange{init.getType()}, callee,
                                 config, inputs, ValueRange{init});
  if (layer)
    kernel->setAttr("dq.layer", layer);
  Value y = kernel.getResult(0);
  int64_t n = resultType.getShape().back();
  if (n != outputCols) {
    // The kernel's output is padded to whole tiles.
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {m, b.getIndexAttr(n)};
    SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
    y = tensor::ExtractSliceOp::create(b, loc, y, offsets, sizes, strides);
  }
  return expandFromMatrix(b, loc, y, input, resultType);
}

LogicalResult MatmulToKernelPattern::matchAndRewrite(
    MatmulOp op, OneToNOpAdaptor adaptor,
    ConversionPatternRewriter &rewriter) const {
  ValueRange parts = adaptor.getWeight();
  if (parts.size() != 3 || adaptor.getInput().size() != 1)
    return rewriter.notifyMatchFailure(op, "weight not in stored parts");
  FailureOr<MatmulKernelChoice> choice = chooseKernel(op, parts, rewriter);
  if (failed(choice))
    return failure();
  auto resultType = llvm::cast<RankedTensorType>(op.getType());
  rewriter.replaceOp(
      op, buildMatmulKernelCall(rewriter, op.getLoc(), choice->callee,
                                choice->config, adaptor.getInput().front(),
                                parts, choice->outputCols, resultType,
                                op->getAttrOfType<StringAttr>("dq.layer")));
  return success();
}
