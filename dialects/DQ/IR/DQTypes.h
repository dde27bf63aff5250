//===- DQTypes.h - dq types and attributes ----------------------*- C++ -*-===//

#ifndef DQ_IR_DQTYPES_H
#define DQ_IR_DQTYPES_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"

#include "DQ/IR/DQEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "DQ/IR/DQAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "DQ/IR/DQTypes.h.inc"

namespace mlir::dq {
/// True for the scale/offset types a weight may use: f16, bf16, f32.
bool isSupportedScaleType(Type type);
/// True for the bit widths of the integer part: 2, 3, 4, 8.
bool isSupportedBitWidth(unsigned bits);
} // namespace mlir::dq

#endif // DQ_IR_DQTYPES_H
