//===- QuantPasses.cpp - --dq-export-quant and --dq-import-quant ----------===//
//
// Thin drivers: each walks the candidates once so that every failure is
// reported with its reason, then rewrites the ones that convert.
//
//===----------------------------------------------------------------------===//

#include "dq/Conversion/Passes.h"

#include "DQ/IR/DQDialect.h"
#include "DQ/IR/DQOps.h"
#include "dq/Conversion/DQToQuant/DQToQuant.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQEXPORTQUANT
#define GEN_PASS_DEF_DQIMPORTQUANT
#include "dq/Conversion/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;

namespace {

struct DQExportQuantPass
    : public mlir::dq::impl::DQExportQuantBase<DQExportQuantPass> {
  using DQExportQuantBase::DQExportQuantBase;

  void runOnOperation() override {
    DQToQuantOptions options;
    if (storageType == "i8") {
      options.wideStorage = true;
    } else if (storageType != "logical") {
      getOperation().emitError()
          << "--dq-export-quant: storage-type must be 'logical' or 'i8', not '"
          << storageType << "'";
      return signalPassFailure();
    }
    SmallVector<ConstantOp> constants;
    getOperation().walk([&](ConstantOp op) { constants.push_back(op); });
    IRRewriter rewriter(&getContext());
    bool failedAny = false;
    for (ConstantOp op : constants) {
      auto emitDiag = [&]() -> InFlightDiagnostic {
        if (allowPartial)
          return op.emitRemark() << "not exported: ";
        return op.emitError() << "cannot export to !quant.uniform: ";
      };
      if (failed(exportWeightToQuant(rewriter, op, options, emitDiag)))
        failedAny |= !allowPartial;
    }
    if (failedAny)
      signalPassFailure();
  }
};

struct DQImportQuantPass
    : public mlir::dq::impl::DQImportQuantBase<DQImportQuantPass> {
  using DQImportQuantBase::DQImportQuantBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    FloatType type;
    if (scaleType == "f32")
      type = Float32Type::get(ctx);
    else if (scaleType == "f16")
      type = Float16Type::get(ctx);
    else if (scaleType == "bf16")
      type = BFloat16Type::get(ctx);
    if (!type) {
      getOperation().emitError()
          << "--dq-import-quant: scale-type must be f32, f16 or bf16, not '"
          << scaleType << "'";
      return signalPassFailure();
    }
    // One dcast per storage cast: the import rewrites all its dcasts.
    SmallVector<Operation *> casts;
    llvm::SmallPtrSet<Value, 8> seen;
    getOperation().walk([&](quant::DequantizeCastOp op) {
      if (isConstantQuantWeight(op) && seen.insert(op.getInput()).second)
        casts.push_back(op);
    });
    IRRewriter rewriter(ctx);
    bool failedAny = false;
    for (Operation *op : casts) {
      auto emitDiag = [&]() -> InFlightDiagnostic {
        return op->emitError() << "cannot import as a dq weight: ";
      };
      failedAny |= failed(importWeightFromQuant(rewriter, op, type, emitDiag));
    }
    if (failedAny)
      return signalPassFailure();
    if (!fuseMatmuls)
      return;
    RewritePatternSet patterns(ctx);
    populateDQMatmulFromDequantizePatterns(patterns);
    // One walk, no folding: the rest of the module stays as it was.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
