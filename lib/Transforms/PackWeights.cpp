//===- PackWeights.cpp - --dq-pack-weights --------------------------------===//
//
// Repacks constant weights at compile time into the layout a target's
// kernels read, so that no shuffling happens at run time.
//
//===----------------------------------------------------------------------===//

#include "dq/Transforms/Passes.h"

#include "DQ/IR/DQOps.h"
#include "dq/Support/Packing.h"
#include "dq/Support/TiledLayout.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQPACKWEIGHTS
#include "dq/Transforms/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;
using ::dq::N16K4Geometry;

namespace {

/// The bytes of a constant's blob, or an error naming what is missing.
FailureOr<ArrayRef<char>> getBlobBytes(ConstantOp op, ElementsAttr attr,
                                       StringRef what) {
  auto resource = llvm::cast<DenseResourceElementsAttr>(attr);
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return op.emitOpError()
           << what << " blob '" << resource.getRawHandle().getKey()
           << "' has no data (elided); cannot repack it";
  return blob->getData();
}

/// A new dense_resource attribute of `type` holding `bytes`.
DenseResourceElementsAttr makeBlob(ShapedType type, StringRef name,
                                   ArrayRef<uint8_t> bytes) {
  ArrayRef<char> data(reinterpret_cast<const char *>(bytes.data()),
                      bytes.size());
  return DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(data));
}

StringRef blobKey(ElementsAttr attr) {
  return llvm::cast<DenseResourceElementsAttr>(attr).getRawHandle().getKey();
}

struct DQPackWeightsPass
    : public mlir::dq::impl::DQPackWeightsBase<DQPackWeightsPass> {
  using DQPackWeightsBase::DQPackWeightsBase;

  LogicalResult packN16K4(ConstantOp op) {
    WeightType type = op.getWeightType();
    N16K4Geometry geo(type.getRows(), type.getCols(), type.getBits(),
                      type.getGroup());
    FailureOr<ArrayRef<char>> packed =
        getBlobBytes(op, op.getPacked(), "packed");
    if (failed(packed))
      return failure();
    FailureOr<ArrayRef<char>> scale = getBlobBytes(op, op.getScale(), "scale");
    if (failed(scale))
      return failure();
    FailureOr<ArrayRef<char>> offset =
        getBlobBytes(op, op.getOffset(), "offset");
    if (failed(offset))
      return failure();

    std::vector<int8_t> q(type.getRows() * type.getCols());
    ArrayRef<uint8_t> packedBytes(
        reinterpret_cast<const uint8_t *>(packed->data()), packed->size());
    if (llvm::Error err = ::dq::unpackRowMajor(
            packedBytes, type.getRows(), type.getCols(), type.getBits(), q))
      return op.emitOpError() << "cannot read the packed integer part: "
                              << llvm::toString(std::move(err));

    WeightType packedType = type.withLayout(Layout::N16K4);
    std::vector<uint8_t> tiled(geo.numTiles() * geo.tileBytes());
    if (llvm::Error err = ::dq::packN16K4(q, geo, tiled))
      return op.emitOpError()
             << "cannot repack: " << llvm::toString(std::move(err));

    int64_t elemBytes = type.getScaleType().getIntOrFloatBitWidth() / 8;
    RankedTensorType paramType = packedType.getStoredScaleTensorType();
    auto tileParams = [&](ArrayRef<char> in,
                          std::vector<uint8_t> &out) -> LogicalResult {
      out.resize(paramType.getNumElements() * elemBytes);
      ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(in.data()),
                              in.size());
      if (llvm::Error err = ::dq::tileGroupParams(bytes, elemBytes, geo, out))
        return op.emitOpError() << "cannot tile scale/offset: "
                                << llvm::toString(std::move(err));
      return success();
    };
    std::vector<uint8_t> tiledScale, tiledOffset;
    if (failed(tileParams(*scale, tiledScale)) ||
        failed(tileParams(*offset, tiledOffset)))
      return failure();

    std::string suffix = "_" + layout;
    OpBuilder b(op);
    auto newOp = ConstantOp::create(
        b, op.getLoc(), packedType,
        makeBlob(packedType.getPackedTensorType(),
                 (blobKey(op.getPacked()) + suffix).str(), tiled),
        makeBlob(paramType, (blobKey(op.getScale()) + suffix).str(),
                 tiledScale),
        makeBlob(paramType, (blobKey(op.getOffset()) + suffix).str(),
                 tiledOffset));
    newOp->setDiscardableAttrs(op->getDiscardableAttrDictionary());
    op.getResult().replaceAllUsesWith(newOp.getResult());
    op.erase();
    return success();
  }

  void runOnOperation() override {
    if (layout != "n16k4") {
      getOperation().emitError() << "--dq-pack-weights: unknown layout '"
                                 << layout << "'; expected n16k4";
      return signalPassFailure();
    }
    SmallVector<ConstantOp> candidates;
    getOperation().walk([&](ConstantOp op) {
      if (op.getWeightType().getLayout() != Layout::RowMajor)
        return;
      bool onlyMatmuls =
          !op.getResult().use_empty() &&
          llvm::all_of(op.getResult().getUsers(), [](Operation *user) {
            return llvm::isa<MatmulOp>(user);
          });
      if (!onlyMatmuls) {
        ++numKept;
        return;
      }
      candidates.push_back(op);
    });
    for (ConstantOp op : candidates) {
      if (failed(packN16K4(op)))
        return signalPassFailure();
      ++numPacked;
    }
  }
};

} // namespace
