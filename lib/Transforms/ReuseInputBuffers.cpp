//===- ReuseInputBuffers.cpp - elementwise ops write over a dead input ----===//
//
// torch-mlir writes every elementwise op into a fresh tensor.empty. Where an
// input has the result's type and is read at the same index it would be
// written, and nothing reads it afterwards, the op can take that input as
// its destination: one-shot bufferization then updates the input's buffer
// in place instead of allocating. For a KV cache tied to its result this
// is what keeps the cache in the caller's memory (dq-elide-tied-results).
//
//===----------------------------------------------------------------------===//

#include "dq/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQREUSEINPUTBUFFERS
#include "dq/Transforms/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;

namespace {

/// Whether `value` may be overwritten by `op`: no use after `op`, and not a
/// function argument whose buffer belongs to the caller (bufferization would
/// copy it first, which costs more than the allocation saved).
bool isDeadAfter(Value value, Operation *op) {
  if (auto arg = llvm::dyn_cast<BlockArgument>(value)) {
    auto func = llvm::dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    if (!func || arg.getOwner() != &func.getBody().front())
      return false;
    auto writable = func.getArgAttrOfType<BoolAttr>(
        arg.getArgNumber(),
        bufferization::BufferizationDialect::kWritableAttrName);
    if (!writable || !writable.getValue())
      return false;
  }
  for (Operation *user : value.getUsers()) {
    if (user == op)
      continue;
    Operation *ancestor = op->getBlock()->findAncestorOpInBlock(*user);
    if (!ancestor || !ancestor->isBeforeInBlock(op))
      return false;
  }
  return llvm::count(op->getOperands(), value) == 1;
}

struct ReuseDeadInput : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics() ||
        op.getNumReductionLoops() != 0)
      return failure();
    OpOperand *init = op.getDpsInitOperand(0);
    if (!init->get().getDefiningOp<tensor::EmptyOp>() ||
        op.payloadUsesValueFromOperand(init))
      return failure();
    AffineMap initMap = op.getMatchingIndexingMap(init);
    for (OpOperand *input : op.getDpsInputOperands()) {
      if (input->get().getType() != init->get().getType() ||
          op.getMatchingIndexingMap(input) != initMap ||
          !initMap.isIdentity() || !isDeadAfter(input->get(), op))
        continue;
      // The input becomes the destination; its block argument is now the
      // output's.
      unsigned index = input->getOperandNumber();
      SmallVector<Value> inputs;
      SmallVector<AffineMap> maps;
      for (OpOperand *other : op.getDpsInputOperands())
        if (other != input) {
          inputs.push_back(other->get());
          maps.push_back(op.getMatchingIndexingMap(other));
        }
      maps.push_back(initMap);
      auto fresh = linalg::GenericOp::create(
          rewriter, op.getLoc(), op.getResultTypes(), inputs,
          ValueRange{input->get()}, maps, op.getIteratorTypesArray());
      Region &body = fresh.getRegion();
      rewriter.inlineRegionBefore(op.getRegion(), body, body.end());
      Block &block = body.front();
      BlockArgument moved = block.getArgument(index);
      BlockArgument out = block.getArguments().back();
      rewriter.replaceAllUsesWith(moved, out);
      block.eraseArgument(index);
      rewriter.replaceOp(op, fresh->getResults());
      return success();
    }
    return failure();
  }
};

struct DQReuseInputBuffersPass
    : public mlir::dq::impl::DQReuseInputBuffersBase<DQReuseInputBuffersPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ReuseDeadInput>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
