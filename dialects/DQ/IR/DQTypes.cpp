//===- DQTypes.cpp - dq types and attributes ------------------------------===//

#include "DQ/IR/DQTypes.h"
#include "DQ/IR/DQDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dq;

#include "DQ/IR/DQAttrInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "DQ/IR/DQAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "DQ/IR/DQTypes.cpp.inc"

void DQDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "DQ/IR/DQTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "DQ/IR/DQAttrs.cpp.inc"
      >();
}

bool mlir::dq::isSupportedScaleType(Type type) {
  return type.isF16() || type.isBF16() || type.isF32();
}

bool mlir::dq::isSupportedBitWidth(unsigned bits) {
  return bits == 2 || bits == 3 || bits == 4 || bits == 8;
}

LogicalResult WeightType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t rows, int64_t cols, unsigned bits,
                                 int64_t group, Type scaleType,
                                 WeightLayoutAttrInterface layout) {
  if (rows <= 0 || cols <= 0)
    return emitError() << "weight shape must be positive, got [" << rows << ", "
                       << cols << "]";
  if (!isSupportedBitWidth(bits))
    return emitError() << "unsupported bit width " << bits
                       << "; expected 2, 3, 4 or 8";
  if (group <= 0 || group > cols || cols % group != 0)
    return emitError() << "group size " << group
                       << " must divide the column count " << cols
                       << " (use group = " << cols << " for per-channel)";
  if (!isSupportedScaleType(scaleType))
    return emitError() << "scale type must be f16, bf16 or f32, got "
                       << scaleType;
  if (!layout)
    return emitError() << "weight layout must not be null";
  // Only now may the layout size its storage: the shape is sane.
  return layout.verifyWeight(emitError, rows, cols, bits, group, scaleType);
}

RankedTensorType WeightType::getIntTensorType() const {
  return RankedTensorType::get({getRows(), getCols()},
                               IntegerType::get(getContext(), getBits()));
}

RankedTensorType WeightType::getScaleTensorType() const {
  return RankedTensorType::get({getRows(), getNumGroups()}, getScaleType());
}

RankedTensorType WeightType::getPackedTensorType() const {
  return getLayout().getPackedType(*this);
}

RankedTensorType WeightType::getStoredScaleTensorType() const {
  return getLayout().getStoredScaleType(*this);
}

WeightType WeightType::withLayout(WeightLayoutAttrInterface layout) const {
  return WeightType::get(getContext(), getRows(), getCols(), getBits(),
                         getGroup(), getScaleType(), layout);
}

bool WeightType::isRowMajor() const {
  return llvm::isa<RowMajorAttr>(getLayout());
}

//===----------------------------------------------------------------------===//
// row_major
//===----------------------------------------------------------------------===//

StringRef RowMajorAttr::getLayoutName() const { return "row_major"; }

RankedTensorType RowMajorAttr::getPackedType(WeightType weight) const {
  return RankedTensorType::get({weight.getRows(), weight.getPackedRowBytes()},
                               IntegerType::get(getContext(), 8));
}

RankedTensorType RowMajorAttr::getStoredScaleType(WeightType weight) const {
  return weight.getScaleTensorType();
}

// Fields are two's complement.
int64_t RowMajorAttr::getFieldBias(unsigned) const { return 0; }

//===----------------------------------------------------------------------===//
// Layout lookup
//===----------------------------------------------------------------------===//

SmallVector<WeightLayoutAttrInterface>
mlir::dq::getKnownWeightLayouts(MLIRContext *ctx) {
  SmallVector<WeightLayoutAttrInterface> layouts;
  for (Dialect *dialect : ctx->getLoadedDialects())
    if (auto *iface =
            dialect->getRegisteredInterface<WeightLayoutDialectInterface>())
      iface->getLayouts(layouts);
  llvm::sort(layouts,
             [](WeightLayoutAttrInterface a, WeightLayoutAttrInterface b) {
               return a.getLayoutName() < b.getLayoutName();
             });
  layouts.insert(layouts.begin(), RowMajorAttr::get(ctx));
  return layouts;
}

WeightLayoutAttrInterface mlir::dq::lookupWeightLayout(MLIRContext *ctx,
                                                       StringRef name) {
  for (WeightLayoutAttrInterface layout : getKnownWeightLayouts(ctx))
    if (layout.getLayoutName() == name)
      return layout;
  return {};
}
