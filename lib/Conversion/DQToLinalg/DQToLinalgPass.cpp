//===- DQToLinalgPass.cpp - the portable lowering of dq -------------------===//
//
// A thin driver around the patterns of DQToLinalg.h: it reports what has no
// portable lowering, then runs one partial conversion with the structural
// patterns so that weights cross function and region boundaries.
//
//===----------------------------------------------------------------------===//

#include "dq/Conversion/Passes.h"

#include "DQ/IR/DQOps.h"
#include "dq/Conversion/DQToLinalg/DQToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQLOWERTOLINALG
#include "dq/Conversion/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;

namespace {

/// The weight type in a non-portable layout among `op`'s block arguments.
std::optional<WeightType> findPackedBlockArgument(Operation *op) {
  for (Region &region : op->getRegions())
    for (Block &block : region)
      for (Type type : block.getArgumentTypes())
        if (auto weight = llvm::dyn_cast<WeightType>(type);
            weight && !weight.isRowMajor())
          return weight;
  return std::nullopt;
}

/// Reports what the conversion cannot lower, one error per op, so that the
/// conversion itself never stops half-way on a dq construct.
LogicalResult checkLowerable(ModuleOp module, const TypeConverter &converter,
                             RewritePatternSet &patterns) {
  bool failed = false;
  module.walk([&](Operation *op) {
    if (auto constant = llvm::dyn_cast<ConstantOp>(op);
        constant && !constant.getWeightType().isRowMajor()) {
      op->emitOpError() << "holds a weight in the "
                        << constant.getWeightType().getLayout().getLayoutName()
                        << " layout, which has no portable lowering; lower to "
                           "linalg before --dq-pack-weights";
      failed = true;
      return;
    }
    if (std::optional<WeightType> packed = findPackedBlockArgument(op)) {
      op->emitOpError() << "takes a weight in the "
                        << packed->getLayout().getLayoutName()
                        << " layout as block argument, which has no portable "
                           "lowering; lower to linalg before --dq-pack-weights";
      failed = true;
      return;
    }
    if (llvm::isa<ObserveOp>(op)) {
      op->emitOpError() << "has no portable lowering; observers only run "
                           "in calibration builds, remove them to compile "
                           "for inference";
      failed = true;
    }
  });
  LogicalResult uses = reportUnconvertibleOps(
      module, converter, patterns,
      "uses a dq weight in a way --dq-lower-to-linalg cannot lower; weights "
      "may only reach dq ops, function arguments and results, func.call, scf "
      "control flow and cf branches");
  return llvm::failure(failed || llvm::failed(uses));
}

struct DQLowerToLinalgPass
    : public mlir::dq::impl::DQLowerToLinalgBase<DQLowerToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    DQToLinalgTypeConverter converter;
    RewritePatternSet patterns(ctx);
    ConversionTarget target(*ctx);
    populateDQToLinalgPatterns(converter, patterns);
    populateDQToLinalgStructuralPatternsAndLegality(converter, patterns,
                                                    target);
    if (failed(checkLowerable(module, converter, patterns)) ||
        failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
