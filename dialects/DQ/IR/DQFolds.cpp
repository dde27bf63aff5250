//===- DQFolds.cpp - folds of dq operations -------------------------------===//

#include "DQ/IR/DQOps.h"

using namespace mlir;
using namespace mlir::dq;

/// build(split(w)) -> w.
OpFoldResult BuildOp::fold(FoldAdaptor) {
  auto split = getQ().getDefiningOp<SplitOp>();
  if (!split || getScale() != split.getScale() ||
      getOffset() != split.getOffset() ||
      split.getWeight().getType() != getResult().getType())
    return {};
  return split.getWeight();
}

/// split(build(q, s, z)) -> q, s, z.
LogicalResult SplitOp::fold(FoldAdaptor,
                            SmallVectorImpl<OpFoldResult> &results) {
  auto build = getWeight().getDefiningOp<BuildOp>();
  if (!build)
    return failure();
  results.push_back(build.getQ());
  results.push_back(build.getScale());
  results.push_back(build.getOffset());
  return success();
}
