//===- CPULayout.cpp - the dq_cpu dialect and its n16k4 layout ------------===//

#include "CPUAttrs.h"
#include "DQ/IR/DQDialect.h"
#include "dq/Conversion/Layouts.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq_cpu;

#include "CPUAttrsDialect.cpp.inc"
#include "CPUEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "CPUAttrs.cpp.inc"

namespace {
/// Lets --dq-pack-weights=layout=n16k4 find the layout.
struct CPULayouts : public WeightLayoutDialectInterface {
  using WeightLayoutDialectInterface::WeightLayoutDialectInterface;
  void getLayouts(
      SmallVectorImpl<WeightLayoutAttrInterface> &layouts) const override {
    layouts.push_back(N16K4Attr::get(getContext()));
  }
};
} // namespace

void DQCPUDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "CPUAttrs.cpp.inc"
      >();
  addInterfaces<CPULayouts>();
}

StringRef N16K4Attr::getLayoutName() const { return "n16k4"; }

RankedTensorType N16K4Attr::getPackedType(WeightType weight) const {
  ::dq::N16K4Geometry geo = getN16K4Geometry(weight);
  return RankedTensorType::get({geo.numTiles(), geo.tileBytes()},
                               IntegerType::get(getContext(), 8));
}

RankedTensorType N16K4Attr::getStoredScaleType(WeightType weight) const {
  ::dq::N16K4Geometry geo = getN16K4Geometry(weight);
  return RankedTensorType::get(
      {geo.numTiles(), geo.numGroups(), ::dq::N16K4Geometry::TileRows},
      weight.getScaleType());
}

llvm::Error N16K4Attr::packInts(WeightType weight, ArrayRef<int8_t> q,
                                MutableArrayRef<uint8_t> out) const {
  return ::dq::packN16K4(q, getN16K4Geometry(weight), out);
}

llvm::Error N16K4Attr::packParams(WeightType weight, ArrayRef<uint8_t> in,
                                  int64_t elemBytes,
                                  MutableArrayRef<uint8_t> out) const {
  return ::dq::tileGroupParams(in, elemBytes, getN16K4Geometry(weight), out);
}

void mlir::dq::registerCPULayouts(DialectRegistry &registry) {
  registry.insert<DQCPUDialect>();
  // Loaded with dq, so that passes find its layouts by name.
  registry.addExtension(+[](MLIRContext *ctx, DQDialect *) {
    ctx->getOrLoadDialect<DQCPUDialect>();
  });
}
