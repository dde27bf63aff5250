//===- GPULayout.cpp - the dq_gpu dialect and its gpu_chunked layout ------===//

#include "DQ/IR/DQDialect.h"
#include "GPUAttrs.h"
#include "dq/Conversion/Layouts.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq_gpu;

#include "GPUAttrsDialect.cpp.inc"
#include "GPUEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "GPUAttrs.cpp.inc"

namespace {
/// Lets --dq-pack-weights=layout=gpu_chunked find the layout.
struct GPULayouts : public WeightLayoutDialectInterface {
  using WeightLayoutDialectInterface::WeightLayoutDialectInterface;
  void getLayouts(
      SmallVectorImpl<WeightLayoutAttrInterface> &layouts) const override {
    layouts.push_back(ChunkedAttr::get(getContext()));
  }
};
} // namespace

void DQGPUDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "GPUAttrs.cpp.inc"
      >();
  addInterfaces<GPULayouts>();
}

StringRef ChunkedAttr::getLayoutName() const { return "gpu_chunked"; }

RankedTensorType ChunkedAttr::getPackedType(WeightType weight) const {
  return RankedTensorType::get(
      {weight.getRows(), getChunkedGeometry(weight).rowBytes()},
      IntegerType::get(getContext(), 8));
}

// Scale and offset stay row-major [N, K/group].
RankedTensorType ChunkedAttr::getStoredScaleType(WeightType weight) const {
  return weight.getScaleTensorType();
}

llvm::Error ChunkedAttr::packInts(WeightType weight, ArrayRef<int8_t> q,
                                  MutableArrayRef<uint8_t> out) const {
  return ::dq::packGPUChunked(q, getChunkedGeometry(weight), out);
}

void mlir::dq::registerGPULayouts(DialectRegistry &registry) {
  registry.insert<DQGPUDialect>();
  // Loaded with dq, so that passes find its layouts by name.
  registry.addExtension(+[](MLIRContext *ctx, DQDialect *) {
    ctx->getOrLoadDialect<DQGPUDialect>();
  });
}
