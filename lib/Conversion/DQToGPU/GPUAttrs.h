//===- GPUAttrs.h - the dq_gpu dialect: GPU backend attributes --*- C++ -*-===//

#ifndef DQ_CONVERSION_DQTOGPU_GPUATTRS_H
#define DQ_CONVERSION_DQTOGPU_GPUATTRS_H

#include "DQ/IR/DQTypes.h"
#include "dq/Support/GPULayout.h"

#include "mlir/IR/Dialect.h"

#include "GPUAttrsDialect.h.inc"
#include "GPUEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "GPUAttrs.h.inc"

namespace mlir::dq_gpu {
/// The gpu_chunked geometry of `weight`'s logical shape.
inline ::dq::GPUChunkedGeometry getChunkedGeometry(dq::WeightType weight) {
  return ::dq::GPUChunkedGeometry(weight.getRows(), weight.getCols(),
                                  weight.getBits(), weight.getGroup());
}
} // namespace mlir::dq_gpu

#endif // DQ_CONVERSION_DQTOGPU_GPUATTRS_H
