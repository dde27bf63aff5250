//===- DQTypes.h - dq types and attributes ----------------------*- C++ -*-===//

#ifndef DQ_IR_DQTYPES_H
#define DQ_IR_DQTYPES_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/DialectInterface.h"
#include "llvm/Support/Error.h"

// The weight type holds a layout and the layout interface takes weight
// types: declare the type first, it only names the interface.
namespace mlir::dq {
class WeightLayoutAttrInterface;
} // namespace mlir::dq

#define GET_TYPEDEF_CLASSES
#include "DQ/IR/DQTypes.h.inc"

#include "DQ/IR/DQAttrInterfaces.h.inc"

#define GET_ATTRDEF_CLASSES
#include "DQ/IR/DQAttrs.h.inc"

namespace mlir::dq {
/// True for the scale/offset types a weight may use: f16, bf16, f32.
bool isSupportedScaleType(Type type);
/// True for the bit widths of the integer part: 2, 3, 4, 8.
bool isSupportedBitWidth(unsigned bits);

/// Implemented by a dialect that defines weight layouts, so that passes find
/// a layout by its name (--dq-pack-weights=layout=NAME) without a list of
/// backends. The dialect must be loaded: registering a layout dialect
/// through its backend's register function also loads it with dq.
class WeightLayoutDialectInterface
    : public DialectInterface::Base<WeightLayoutDialectInterface> {
public:
  WeightLayoutDialectInterface(Dialect *dialect) : Base(dialect) {}

  /// The layouts of this dialect that passes may name.
  virtual void
  getLayouts(SmallVectorImpl<WeightLayoutAttrInterface> &layouts) const = 0;
};

/// Every layout of the dialects loaded in `context`, row_major first, then
/// by name.
SmallVector<WeightLayoutAttrInterface> getKnownWeightLayouts(MLIRContext *ctx);

/// The loaded layout called `name`, or null.
WeightLayoutAttrInterface lookupWeightLayout(MLIRContext *ctx, StringRef name);
} // namespace mlir::dq

#endif // DQ_IR_DQTYPES_H
