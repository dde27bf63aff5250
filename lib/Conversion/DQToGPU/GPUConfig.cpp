//===- GPUConfig.cpp - #dq_gpu.matmul, the CUDA kernels' configuration ----===//

#include "DQ/IR/DQOps.h"
#include "GPUAttrs.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq_gpu;

LogicalResult
MatmulConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         WeightType weight, CUDARoute, unsigned mBlock,
                         unsigned rowsPerWarp, unsigned warps, unsigned tileM,
                         unsigned tileN, bool, unsigned repeat, bool) {
  if (!weight)
    return emitError() << "needs a weight type";
  if (!llvm::isa<ChunkedAttr>(weight.getLayout()))
    return emitError() << "the CUDA kernels read gpu_chunked weights, got "
                          "one in the "
                       << weight.getLayout().getLayoutName() << " layout";
  if (mBlock < 1 || mBlock > 8)
    return emitError() << "m_block must be 1 to 8, got " << mBlock;
  if (rowsPerWarp < 1 || rowsPerWarp > 8)
    return emitError() << "rows_per_warp must be 1 to 8, got " << rowsPerWarp;
  if (warps < 1 || warps > 32)
    return emitError() << "warps must be 1 to 32, got " << warps;
  if (!llvm::is_contained({32u, 64u, 128u}, tileM))
    return emitError() << "tile_m must be 32, 64 or 128, got " << tileM;
  if (!llvm::is_contained({16u, 32u, 64u, 128u}, tileN))
    return emitError() << "tile_n must be 16, 32, 64 or 128, got " << tileN;
  if (repeat < 1)
    return emitError() << "repeat must be at least 1";
  return success();
}

LogicalResult MatmulConfigAttr::verifyKernelOperands(
    function_ref<InFlightDiagnostic()> emitError, TypeRange inputs,
    TypeRange outputs) const {
  if (failed(verifyMatmulKernelOperands(
          emitError, getWeight(), getWeight().getRows(), inputs, outputs)))
    return failure();
  Type act = llvm::cast<ShapedType>(inputs[0]).getElementType();
  if (getRoute() == CUDARoute::GEMM && act.isF32())
    return emitError() << "the gemm route needs f16 or bf16 activations";
  return success();
}
