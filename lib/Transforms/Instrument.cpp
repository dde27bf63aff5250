//===- Instrument.cpp - observe the inputs of weight-bearing matmuls ------===//

#include "dq/Transforms/Passes.h"
#include "dq/Transforms/WeightMatmuls.h"

#include "DQ/IR/DQOps.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQINSTRUMENT
#include "dq/Transforms/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;

namespace {

struct DQInstrumentPass
    : public mlir::dq::impl::DQInstrumentBase<DQInstrumentPass> {
  void runOnOperation() override {
    std::vector<WeightMatmul> matmuls;
    std::vector<SkippedMatmul> skipped;
    findWeightMatmuls(getOperation(), matmuls, skipped);
    for (const SkippedMatmul &skip : skipped) {
      skip.op->emitRemark() << "not observed: " << skip.reason;
      ++numSkipped;
    }
    OpBuilder builder(&getContext());
    for (WeightMatmul &matmul : matmuls) {
      Operation *op = matmul.op.getOperation();
      StringAttr name = builder.getStringAttr(matmul.name);
      op->setAttr(kLayerNameAttr, name);
      Value x = matmul.activation->get();
      if (auto observe = x.getDefiningOp<ObserveOp>();
          observe && observe.getLayer() == matmul.name)
        continue;
      builder.setInsertionPoint(op);
      auto observe =
          ObserveOp::create(builder, op->getLoc(), x.getType(), x, name);
      matmul.activation->set(observe.getResult());
      ++numObserved;
    }
  }
};

} // namespace
