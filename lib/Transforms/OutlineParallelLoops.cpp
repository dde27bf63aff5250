//===- OutlineParallelLoops.cpp - one scf.parallel per function -----------===//
//
// The OpenMP translation (OpenMPIRBuilder) outlines each parallel region with
// llvm::CodeExtractor, which builds an analysis of the whole enclosing
// function every time: quadratic when one function holds many regions, as a
// decoder's `decode` does. Moving every outermost scf.parallel into a small
// function of its own makes that linear.
//
//===----------------------------------------------------------------------===//

#include "dq/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQOUTLINEPARALLELLOOPS
#include "dq/Transforms/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;

namespace {

/// The scf.parallel loops of `func` that no other scf.parallel encloses.
SmallVector<scf::ParallelOp> outermostParallelLoops(func::FuncOp func) {
  SmallVector<scf::ParallelOp> loops;
  func.walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
    loops.push_back(loop);
    return WalkResult::skip();
  });
  return loops;
}

/// Clones the constants that `region` uses from above into its entry block,
/// so that the outlined function keeps them as constants (foldable), not
/// arguments.
void sinkConstants(RewriterBase &rewriter, Region &region) {
  SetVector<Value> captured;
  getUsedValuesDefinedAbove(region, captured);
  rewriter.setInsertionPointToStart(&region.front());
  for (Value value : captured) {
    Operation *def = value.getDefiningOp();
    if (!def || !def->hasTrait<OpTrait::ConstantLike>())
      continue;
    Value copy = rewriter.clone(*def)->getResult(0);
    replaceAllUsesInRegionWith(value, copy, region);
  }
}

/// Moves `loop` into a new private function named `name`, called in its
/// place.
FailureOr<func::FuncOp> outline(RewriterBase &rewriter, scf::ParallelOp loop,
                                StringRef name) {
  Location loc = loop.getLoc();
  // outlineSingleBlockRegion takes a region whose terminator yields the
  // results: wrap the loop in an scf.execute_region.
  rewriter.setInsertionPoint(loop);
  auto wrapper =
      scf::ExecuteRegionOp::create(rewriter, loc, loop.getResultTypes());
  Block *body = rewriter.createBlock(&wrapper.getRegion());
  rewriter.setInsertionPointToEnd(body);
  auto yield = scf::YieldOp::create(rewriter, loc, loop.getResults());
  for (auto [from, to] : llvm::zip(loop.getResults(), wrapper.getResults()))
    rewriter.replaceAllUsesExcept(from, to, yield);
  rewriter.moveOpBefore(loop, yield);
  sinkConstants(rewriter, wrapper.getRegion());

  func::CallOp call;
  FailureOr<func::FuncOp> func =
      outlineSingleBlockRegion(rewriter, loc, wrapper.getRegion(), name, &call);
  if (failed(func))
    return failure();
  func->setPrivate();
  // The wrapper now holds the call and the yield of its results: put them
  // in its place.
  Block &left = wrapper.getRegion().front();
  auto leftYield = cast<scf::YieldOp>(left.getTerminator());
  SmallVector<Value> results(leftYield.getOperands());
  rewriter.eraseOp(leftYield);
  rewriter.inlineBlockBefore(&left, wrapper);
  rewriter.replaceOp(wrapper, results);
  return func;
}

struct DQOutlineParallelLoopsPass
    : public mlir::dq::impl::DQOutlineParallelLoopsBase<
          DQOutlineParallelLoopsPass> {
  using DQOutlineParallelLoopsBase::DQOutlineParallelLoopsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    IRRewriter rewriter(&getContext());
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      SmallVector<scf::ParallelOp> loops = outermostParallelLoops(func);
      if (loops.size() < minLoops)
        continue;
      unsigned index = 0;
      for (scf::ParallelOp loop : loops) {
        // A fresh name: the symbol table renames on a clash.
        std::string name;
        do
          name = (func.getSymName() + "_parallel" + Twine(index++)).str();
        while (symbols.lookup(name));
        FailureOr<func::FuncOp> outlined = outline(rewriter, loop, name);
        if (failed(outlined)) {
          loop.emitError("cannot move this scf.parallel into a function");
          return signalPassFailure();
        }
        symbols.insert(*outlined);
      }
    }
  }
};

} // namespace
