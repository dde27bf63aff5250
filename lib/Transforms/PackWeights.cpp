//===- PackWeights.cpp - --dq-pack-weights --------------------------------===//
//
// Repacks constant weights at compile time into the layout a target's
// kernels read, so that no shuffling happens at run time.
//
//===----------------------------------------------------------------------===//

#include "dq/Transforms/Passes.h"

#include "DQ/IR/DQOps.h"
#include "dq/Support/Packing.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQPACKWEIGHTS
#include "dq/Transforms/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;

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

  /// Repacks `op` into `target` through the layout's own packing: the
  /// integer part from row-major signed values, scale and offset from
  /// row-major [N, K/group] bytes.
  LogicalResult repack(ConstantOp op, WeightLayoutAttrInterface target) {
    WeightType type = op.getWeightType();
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

    // The layout may reject a shape it cannot store.
    WeightType packedType = WeightType::getChecked(
        [&] { return op.emitOpError(); }, op.getContext(), type.getRows(),
        type.getCols(), type.getBits(), type.getGroup(), type.getScaleType(),
        target);
    if (!packedType)
      return failure();
    std::vector<uint8_t> repacked(
        packedType.getPackedTensorType().getNumElements());
    if (llvm::Error err = target.packInts(packedType, q, repacked))
      return op.emitOpError()
             << "cannot repack: " << llvm::toString(std::move(err));

    int64_t elemBytes = type.getScaleType().getIntOrFloatBitWidth() / 8;
    RankedTensorType paramType = packedType.getStoredScaleTensorType();
    auto params = [&](ArrayRef<char> in,
                      std::vector<uint8_t> &out) -> LogicalResult {
      out.resize(paramType.getNumElements() * elemBytes);
      ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(in.data()),
                              in.size());
      if (llvm::Error err =
              target.packParams(packedType, bytes, elemBytes, out))
        return op.emitOpError() << "cannot tile scale/offset: "
                                << llvm::toString(std::move(err));
      return success();
    };
    std::vector<uint8_t> newScale, newOffset;
    if (failed(params(*scale, newScale)) || failed(params(*offset, newOffset)))
      return failure();

    std::string suffix = ("_" + target.getLayoutName()).str();
    OpBuilder b(op);
    auto newOp = ConstantOp::create(
        b, op.getLoc(), packedType,
        makeBlob(packedType.getPackedTensorType(),
                 (blobKey(op.getPacked()) + suffix).str(), repacked),
        makeBlob(paramType, (blobKey(op.getScale()) + suffix).str(), newScale),
        makeBlob(paramType, (blobKey(op.getOffset()) + suffix).str(),
                 newOffset));
    newOp->setDiscardableAttrs(op->getDiscardableAttrDictionary());
    op.getResult().replaceAllUsesWith(newOp.getResult());
    op.erase();
    return success();
  }

  /// The packed layout named by the option, or an error listing the known
  /// ones. row_major is the layout packing starts from, not a target.
  WeightLayoutAttrInterface findTarget() {
    MLIRContext *ctx = &getContext();
    SmallVector<StringRef> known;
    for (WeightLayoutAttrInterface candidate : getKnownWeightLayouts(ctx)) {
      if (llvm::isa<RowMajorAttr>(candidate))
        continue;
      if (candidate.getLayoutName() == layout)
        return candidate;
      known.push_back(candidate.getLayoutName());
    }
    InFlightDiagnostic diag = getOperation().emitError()
                              << "--dq-pack-weights: unknown layout '" << layout
                              << "'; known layouts: ";
    if (known.empty())
      diag << "none (no layout dialect is registered)";
    else
      diag << llvm::join(known, ", ");
    return {};
  }

  void runOnOperation() override {
    WeightLayoutAttrInterface target = findTarget();
    if (!target)
      return signalPassFailure();
    SmallVector<ConstantOp> candidates;
    getOperation().walk([&](ConstantOp op) {
      if (!op.getWeightType().isRowMajor())
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
      if (failed(repack(op, target)))
        return signalPassFailure();
      ++numPacked;
    }
  }
};

} // namespace
