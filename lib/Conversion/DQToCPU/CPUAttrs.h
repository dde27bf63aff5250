//===- CPUAttrs.h - the dq_cpu dialect: CPU backend attributes --*- C++ -*-===//

#ifndef DQ_CONVERSION_DQTOCPU_CPUATTRS_H
#define DQ_CONVERSION_DQTOCPU_CPUATTRS_H

#include "DQ/IR/DQTypes.h"
#include "dq/Support/TiledLayout.h"

#include "mlir/IR/Dialect.h"

#include "CPUAttrsDialect.h.inc"
#include "CPUEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "CPUAttrs.h.inc"

namespace mlir::dq_cpu {
/// The n16k4 geometry of `weight`'s logical shape.
inline ::dq::N16K4Geometry getN16K4Geometry(dq::WeightType weight) {
  return ::dq::N16K4Geometry(weight.getRows(), weight.getCols(),
                             weight.getBits(), weight.getGroup());
}

/// True when the int8 route's integer sums of one group fit in i32: at most
/// paddedGroup products of a field (< 256) and an int8 (|q| <= 127).
inline bool int8SumsFit(const ::dq::N16K4Geometry &geo) {
  return geo.paddedGroup() * 255 * 127 < (int64_t(1) << 31);
}
} // namespace mlir::dq_cpu

#endif // DQ_CONVERSION_DQTOCPU_CPUATTRS_H
