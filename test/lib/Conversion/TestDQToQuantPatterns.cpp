//===- TestDQToQuantPatterns.cpp - the quant interop as patterns ----------===//
//
// Applies the patterns of DQToQuant.h with the greedy driver, as a stack
// with its own pass would: populateDQToQuantPatterns (export), or with
// `import` populateQuantToDQPatterns and the matmul fusion. Weights that do
// not convert are left alone silently.
//
//===----------------------------------------------------------------------===//

#include "TestPasses.h"

#include "DQ/IR/DQDialect.h"
#include "dq/Conversion/DQToQuant/DQToQuant.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace {

struct TestDQQuantPatterns
    : public PassWrapper<TestDQQuantPatterns, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestDQQuantPatterns)

  TestDQQuantPatterns() = default;
  TestDQQuantPatterns(const TestDQQuantPatterns &other) : PassWrapper(other) {}

  StringRef getArgument() const final { return "test-dq-quant-patterns"; }
  StringRef getDescription() const final {
    return "Apply the DQToQuant patterns (export, or import) greedily";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, dq::DQDialect, linalg::LinalgDialect,
                    quant::QuantDialect, tensor::TensorDialect>();
  }

  Option<bool> importQuant{*this, "import",
                           llvm::cl::desc("Import instead of export"),
                           llvm::cl::init(false)};

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    if (importQuant) {
      dq::populateQuantToDQPatterns(patterns, Float32Type::get(ctx));
      dq::populateDQMatmulFromDequantizePatterns(patterns);
    } else {
      dq::populateDQToQuantPatterns(patterns);
    }
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::dq::test::registerTestDQQuantPatterns() {
  PassRegistration<TestDQQuantPatterns>();
}
