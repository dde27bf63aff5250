//===- CPUConfig.cpp - #dq_cpu.matmul, the CPU kernels' configuration -----===//

#include "CPUAttrs.h"
#include "DQ/IR/DQOps.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq_cpu;

LogicalResult
MatmulConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         WeightType weight, CPUTarget, bool int8,
                         unsigned mBlock, bool) {
  if (!weight)
    return emitError() << "needs a weight type";
  if (!llvm::isa<N16K4Attr>(weight.getLayout()))
    return emitError() << "the CPU kernels read n16k4 weights, got one in "
                          "the "
                       << weight.getLayout().getLayoutName() << " layout";
  if (!llvm::is_contained({1u, 2u, 4u, 8u}, mBlock))
    return emitError() << "m_block must be 1, 2, 4 or 8, got " << mBlock;
  if (int8 && !int8SumsFit(getN16K4Geometry(weight)))
    return emitError() << "the int8 route sums a group in i32; a group of "
                       << weight.getGroup() << " columns may overflow it";
  return success();
}

LogicalResult MatmulConfigAttr::verifyKernelOperands(
    function_ref<InFlightDiagnostic()> emitError, TypeRange inputs,
    TypeRange outputs) const {
  ::dq::N16K4Geometry geo = getN16K4Geometry(getWeight());
  return verifyMatmulKernelOperands(
      emitError, getWeight(), geo.numTiles() * ::dq::N16K4Geometry::TileRows,
      inputs, outputs);
}
