//===- CPULayout.h - the dq_cpu dialect: CPU weight layouts -----*- C++ -*-===//

#ifndef DQ_CONVERSION_DQTOCPU_CPULAYOUT_H
#define DQ_CONVERSION_DQTOCPU_CPULAYOUT_H

#include "DQ/IR/DQTypes.h"
#include "dq/Support/TiledLayout.h"

#include "mlir/IR/Dialect.h"

#include "CPULayoutDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "CPULayoutAttrs.h.inc"

namespace mlir::dq_cpu {
/// The n16k4 geometry of `weight`'s logical shape.
inline ::dq::N16K4Geometry getN16K4Geometry(dq::WeightType weight) {
  return ::dq::N16K4Geometry(weight.getRows(), weight.getCols(),
                             weight.getBits(), weight.getGroup());
}
} // namespace mlir::dq_cpu

#endif // DQ_CONVERSION_DQTOCPU_CPULAYOUT_H
