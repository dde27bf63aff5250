//===- TestDQToLinalgPatterns.cpp - dq patterns in a foreign pass ---------===//
//
// Plays a stack that owns its dialect conversion (as IREE's input pipelines
// do): its own target, type converter and patterns, into which it adds dq's
// patterns, all applied in one full conversion. This checks that
// DQToLinalg.h is enough to embed the portable lowering: nothing here comes
// from --dq-lower-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "ForeignStack.h"
#include "TestPasses.h"

#include "DQ/IR/DQDialect.h"
#include "dq/Conversion/DQToLinalg/DQToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace {

struct TestDQToLinalgInForeignPass
    : public PassWrapper<TestDQToLinalgInForeignPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestDQToLinalgInForeignPass)

  StringRef getArgument() const final {
    return "test-dq-to-linalg-in-foreign-pass";
  }
  StringRef getDescription() const final {
    return "Apply populateDQToLinalgPatterns inside another stack's "
           "conversion";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, linalg::LinalgDialect,
                    tensor::TensorDialect>();
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // The stack's converter: its rules (here the identity) plus dq's.
    TypeConverter converter;
    ConversionTarget target(*ctx);
    RewritePatternSet patterns(ctx);
    dq::test::setUpForeignStack(converter, target, patterns);
    dq::populateDQToLinalgTypeConversion(converter);
    dq::populateDQToLinalgPatterns(converter, patterns);

    if (failed(
            applyFullConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::dq::test::registerTestDQToLinalgInForeignPass() {
  PassRegistration<TestDQToLinalgInForeignPass>();
}
