//===- DQTypes.cpp - dq types and attributes ------------------------------===//

#include "DQ/IR/DQTypes.h"
#include "DQ/IR/DQDialect.h"
#include "dq/Support/TiledLayout.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dq;

#include "DQ/IR/DQEnums.cpp.inc"

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
                                 int64_t group, Type scaleType, Layout layout) {
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
  return success();
}

RankedTensorType WeightType::getIntTensorType() const {
  return RankedTensorType::get({getRows(), getCols()},
                               IntegerType::get(getContext(), getBits()));
}

RankedTensorType WeightType::getScaleTensorType() const {
  return RankedTensorType::get({getRows(), getNumGroups()}, getScaleType());
}

static ::dq::N16K4Geometry getN16K4Geometry(WeightType type) {
  return ::dq::N16K4Geometry(type.getRows(), type.getCols(), type.getBits(),
                             type.getGroup());
}

RankedTensorType WeightType::getPackedTensorType() const {
  Type i8 = IntegerType::get(getContext(), 8);
  switch (getLayout()) {
  case Layout::RowMajor:
    return RankedTensorType::get({getRows(), getPackedRowBytes()}, i8);
  case Layout::N16K4: {
    ::dq::N16K4Geometry geo = getN16K4Geometry(*this);
    return RankedTensorType::get({geo.numTiles(), geo.tileBytes()}, i8);
  }
  }
  llvm_unreachable("unknown layout");
}

RankedTensorType WeightType::getStoredScaleTensorType() const {
  switch (getLayout()) {
  case Layout::RowMajor:
    return getScaleTensorType();
  case Layout::N16K4: {
    ::dq::N16K4Geometry geo = getN16K4Geometry(*this);
    return RankedTensorType::get(
        {geo.numTiles(), geo.numGroups(), ::dq::N16K4Geometry::TileRows},
        getScaleType());
  }
  }
  llvm_unreachable("unknown layout");
}

WeightType WeightType::withLayout(Layout layout) const {
  return WeightType::get(getContext(), getRows(), getCols(), getBits(),
                         getGroup(), getScaleType(), layout);
}
