//===- TestDQToCPUPatterns.cpp - dq's CPU patterns in a foreign pass ------===//
//
// Plays a stack that owns its dialect conversion and wants dq's CPU kernels
// for the weights it packed (as an IREE-style codegen pipeline would): its
// own target, type converter and patterns, into which it adds dq's CPU
// patterns for n16k4 weights and the portable patterns for the others, all
// applied in one full conversion. The dq.kernel ops it leaves bufferize and
// become calls through --dq-build-cpu-kernels. Nothing here comes from
// --dq-lower-matmul-cpu.
//
//===----------------------------------------------------------------------===//

#include "ForeignStack.h"
#include "TestPasses.h"

#include "DQ/IR/DQOps.h"
#include "dq/Conversion/DQToCPU/DQToCPU.h"
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

struct TestDQToCPUInForeignPass
    : public PassWrapper<TestDQToCPUInForeignPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestDQToCPUInForeignPass)

  TestDQToCPUInForeignPass() = default;
  TestDQToCPUInForeignPass(const TestDQToCPUInForeignPass &other)
      : PassWrapper(other) {}

  // The stack's own knob, handed to dq's patterns unchecked: the patterns
  // must reject a value the kernels do not have.
  Option<unsigned> mBlock{*this, "m-block",
                          llvm::cl::desc("Rows per register block handed "
                                         "to populateDQToCPUPatterns"),
                          llvm::cl::init(8)};

  StringRef getArgument() const final {
    return "test-dq-to-cpu-in-foreign-pass";
  }
  StringRef getDescription() const final {
    return "Apply populateDQToCPUPatterns (and the portable patterns) inside "
           "another stack's conversion";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, linalg::LinalgDialect,
                    tensor::TensorDialect>();
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    TypeConverter converter;
    ConversionTarget target(*ctx);
    RewritePatternSet patterns(ctx);
    dq::test::setUpForeignStack(converter, target, patterns);
    // dq's portable rule for row_major weights and its CPU rule for n16k4
    // ones; the dq.kernel ops the CPU patterns leave stay until
    // bufferization.
    dq::populateDQToLinalgTypeConversion(converter);
    dq::populateDQToCPUTypeConversion(converter);
    target.addLegalOp<dq::KernelOp>();
    dq::populateDQToLinalgPatterns(converter, patterns);
    dq::CPUKernelOptions options;
    options.target = dq::CPUTargetOption::Generic;
    options.mBlock = mBlock;
    dq::populateDQToCPUPatterns(converter, patterns, options);

    if (failed(
            applyFullConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::dq::test::registerTestDQToCPUInForeignPass() {
  PassRegistration<TestDQToCPUInForeignPass>();
}
