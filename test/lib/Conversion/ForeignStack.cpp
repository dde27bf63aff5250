//===- ForeignStack.cpp - the stack the foreign-pass tests play -----------===//

#include "ForeignStack.h"

#include "DQ/IR/DQDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

namespace {
/// The stack's own pattern: it has no arith.negf, only multiplication
/// (exact: the sign flips, NaN and zero included).
struct NegFToMulF : public OpConversionPattern<arith::NegFOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(arith::NegFOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = op.getType();
    TypedAttr minusOne =
        rewriter.getFloatAttr(getElementTypeOrSelf(type), -1.0);
    if (auto shaped = llvm::dyn_cast<ShapedType>(type))
      minusOne = SplatElementsAttr::get(shaped, minusOne);
    Value factor = arith::ConstantOp::create(rewriter, op.getLoc(), minusOne);
    rewriter.replaceOpWithNewOp<arith::MulFOp>(op, adaptor.getOperand(),
                                               factor);
    return success();
  }
};
} // namespace

void mlir::dq::test::setUpForeignStack(TypeConverter &converter,
                                       ConversionTarget &target,
                                       RewritePatternSet &patterns) {
  converter.addConversion([](Type type) { return type; });

  target.addLegalOp<ModuleOp>();
  target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                         tensor::TensorDialect>();
  target.addIllegalOp<arith::NegFOp>();
  target.addIllegalDialect<dq::DQDialect>();
  target.addDynamicallyLegalOp<func::FuncOp>([&converter](func::FuncOp op) {
    return converter.isSignatureLegal(op.getFunctionType()) &&
           converter.isLegal(&op.getBody());
  });
  target.addDynamicallyLegalOp<func::CallOp, func::ReturnOp>(
      [&converter](Operation *op) { return converter.isLegal(op); });

  patterns.add<NegFToMulF>(converter, patterns.getContext());
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateCallOpTypeConversionPattern(patterns, converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
}
