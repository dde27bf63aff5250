//===- DQToLinalgPass.cpp - the portable lowering of dq -------------------===//

#include "dq/Conversion/Passes.h"

#include "DQ/IR/DQOps.h"
#include "WeightLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQLOWERTOLINALG
#include "dq/Conversion/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;

namespace {

/// Upstream tensors for the weight defined by `producer`, built right after
/// it so that they dominate every use of the weight.
WeightParts materializeParts(OpBuilder &b, Operation *producer) {
  b.setInsertionPointAfter(producer);
  Location loc = producer->getLoc();
  if (auto build = llvm::dyn_cast<BuildOp>(producer))
    return {build.getQ(), build.getScale(), build.getOffset()};
  auto constant = llvm::cast<ConstantOp>(producer);
  auto packed = arith::ConstantOp::create(
      b, loc, llvm::cast<TypedAttr>(constant.getPacked()));
  auto scale = arith::ConstantOp::create(
      b, loc, llvm::cast<TypedAttr>(constant.getScale()));
  auto offset = arith::ConstantOp::create(
      b, loc, llvm::cast<TypedAttr>(constant.getOffset()));
  // Tensors of 3-bit integers are legal MLIR but other stacks (IREE) reject
  // them in buffers: unless a dq.split hands out the logical i3 tensor, the
  // fields go to dequantization as i8.
  WeightType type = constant.getWeightType();
  bool logical = llvm::isPowerOf2_32(type.getBits()) ||
                 llvm::any_of(constant->getUsers(), [](Operation *user) {
                   return llvm::isa<SplitOp>(user);
                 });
  return {buildUnpack(b, loc, packed, type, logical), scale, offset};
}

/// Rewrites one use of a weight in terms of its parts.
LogicalResult lowerUser(IRRewriter &rewriter, Operation *user,
                        const WeightParts &parts, WeightType type) {
  rewriter.setInsertionPoint(user);
  Location loc = user->getLoc();
  if (auto split = llvm::dyn_cast<SplitOp>(user)) {
    rewriter.replaceOp(split, ValueRange{parts.q, parts.scale, parts.offset});
    return success();
  }
  if (auto dequantize = llvm::dyn_cast<DequantizeOp>(user)) {
    auto resultType = llvm::cast<RankedTensorType>(dequantize.getType());
    rewriter.replaceOp(dequantize,
                       buildDequantize(rewriter, loc, parts, type,
                                       resultType.getElementType()));
    return success();
  }
  if (auto matmul = llvm::dyn_cast<MatmulOp>(user)) {
    auto resultType = llvm::cast<RankedTensorType>(matmul.getType());
    rewriter.replaceOp(matmul, buildMatmul(rewriter, loc, matmul.getInput(),
                                           parts, type, resultType));
    return success();
  }
  return user->emitOpError()
         << "uses a dq weight in a way --dq-lower-to-linalg cannot lower; "
            "only dq.split, dq.dequantize and dq.matmul are supported";
}

struct DQLowerToLinalgPass
    : public mlir::dq::impl::DQLowerToLinalgBase<DQLowerToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool failed = false;
    SmallVector<Operation *> producers;
    module.walk(
        [&](Operation *op) {
          if (llvm::isa<ConstantOp, BuildOp>(op))
            producers.push_back(op);
          if (auto constant = llvm::dyn_cast<ConstantOp>(op);
              constant &&
              constant.getWeightType().getLayout() != Layout::RowMajor) {
            op->emitOpError()
                << "holds a weight in the "
                << stringifyLayout(constant.getWeightType().getLayout())
                << " layout, which has no portable lowering; lower to linalg "
                   "before --dq-pack-weights";
            failed = true;
          }
          if (llvm::isa<ObserveOp>(op)) {
            op->emitOpError()
                << "has no portable lowering; observers only run "
                   "in calibration builds, remove them to compile "
                   "for inference";
            failed = true;
          }
          for (Region &region : op->getRegions())
            for (Block &block : region)
              for (BlockArgument arg : block.getArguments())
                if (llvm::isa<WeightType>(arg.getType())) {
                  op->emitOpError()
                      << "takes a dq weight as block argument #"
                      << arg.getArgNumber()
                      << "; --dq-lower-to-linalg needs weights defined by "
                         "dq.constant or dq.build in the same function";
                  failed = true;
                }
        });
    if (failed)
      return signalPassFailure();

    // Producers are visited in program order, so a dq.build fed by an
    // earlier dq.split already sees that split's replacement parts.
    IRRewriter rewriter(&getContext());
    for (Operation *producer : producers) {
      Value weight = producer->getResult(0);
      auto type = llvm::cast<WeightType>(weight.getType());
      if (!weight.use_empty()) {
        WeightParts parts = materializeParts(rewriter, producer);
        for (Operation *user : llvm::make_early_inc_range(weight.getUsers()))
          if (llvm::failed(lowerUser(rewriter, user, parts, type)))
            return signalPassFailure();
      }
      rewriter.eraseOp(producer);
    }
  }
};

} // namespace
