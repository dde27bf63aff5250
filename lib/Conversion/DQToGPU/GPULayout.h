//===- GPULayout.h - the dq_gpu dialect: GPU weight layouts -----*- C++ -*-===//

#ifndef DQ_CONVERSION_DQTOGPU_GPULAYOUT_H
#define DQ_CONVERSION_DQTOGPU_GPULAYOUT_H

#include "DQ/IR/DQTypes.h"
#include "dq/Support/GPULayout.h"

#include "mlir/IR/Dialect.h"

#include "GPULayoutDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "GPULayoutAttrs.h.inc"

namespace mlir::dq_gpu {
/// The gpu_chunked geometry of `weight`'s logical shape.
inline ::dq::GPUChunkedGeometry getChunkedGeometry(dq::WeightType weight) {
  return ::dq::GPUChunkedGeometry(weight.getRows(), weight.getCols(),
                                  weight.getBits(), weight.getGroup());
}
} // namespace mlir::dq_gpu

#endif // DQ_CONVERSION_DQTOGPU_GPULAYOUT_H
