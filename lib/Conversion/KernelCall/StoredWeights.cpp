//===- StoredWeights.cpp - weights as their stored parts ------------------===//
//
// A kernel reads a weight in its backend's layout as stored: the packed
// bytes and the (possibly tiled) scale and offset, with no unpacking.
//
//===----------------------------------------------------------------------===//

#include "dq/Conversion/KernelCall/KernelCall.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::dq;

void mlir::dq::populateStoredWeightTypeConversion(
    TypeConverter &converter,
    std::function<bool(WeightLayoutAttrInterface)> accepts) {
  converter.addConversion(
      [accepts = std::move(accepts)](
          WeightType type,
          SmallVectorImpl<Type> &results) -> std::optional<LogicalResult> {
        if (!accepts(type.getLayout()))
          return std::nullopt;
        results.push_back(type.getPackedTensorType());
        results.push_back(type.getStoredScaleTensorType());
        results.push_back(type.getStoredScaleTensorType());
        return success();
      });
}

namespace {

struct StoredConstantLowering : public OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    WeightType type = op.getWeightType();
    // row_major weights unpack to their logical integers (DQToLinalg).
    if (type.isRowMajor())
      return rewriter.notifyMatchFailure(op, "row_major weight");
    SmallVector<Type> converted;
    SmallVector<Type> stored = {type.getPackedTensorType(),
                                type.getStoredScaleTensorType(),
                                type.getStoredScaleTensorType()};
    if (failed(getTypeConverter()->convertType(type, converted)) ||
        converted != stored)
      return rewriter.notifyMatchFailure(op, "not converted to stored parts");
    if (op->use_empty()) {
      rewriter.eraseOp(op);
      return success();
    }
    SmallVector<Value> parts;
    for (Attribute blob : {op.getPacked(), op.getScale(), op.getOffset()})
      parts.push_back(arith::ConstantOp::create(rewriter, op.getLoc(),
                                                llvm::cast<TypedAttr>(blob)));
    SmallVector<SmallVector<Value>> replacements = {parts};
    rewriter.replaceOpWithMultiple(op, std::move(replacements));
    return success();
  }
};

} // namespace

void mlir::dq::populateStoredWeightConstantPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<StoredConstantLowering>(converter, patterns.getContext());
}
