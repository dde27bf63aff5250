//===- FoldConstantTransposes.cpp - transposed weights at compile time ----===//
//
// linalg.transpose(arith.constant) becomes an arith.constant of the
// transposed data, so that a float weight feeding matmul(x, transpose(W))
// is not copied on every call.
//
//===----------------------------------------------------------------------===//

#include "dq/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstddef>
#include <cstring>

namespace mlir::dq {
#define GEN_PASS_DEF_DQFOLDCONSTANTTRANSPOSES
#include "dq/Transforms/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;

namespace {

/// The raw bytes of a constant, row-major, or nullopt when they are not
/// available as such (splats, elided blobs, sub-byte, index or complex
/// elements).
std::optional<ArrayRef<char>> rawBytes(ElementsAttr value) {
  auto type = llvm::cast<ShapedType>(value.getType());
  // Index and complex elements have no fixed byte width here: left alone.
  if (!type.getElementType().isIntOrFloat())
    return std::nullopt;
  unsigned bits = type.getElementTypeBitWidth();
  if (bits % 8 != 0 || !type.hasStaticShape())
    return std::nullopt;
  size_t size = size_t(type.getNumElements()) * (bits / 8);
  ArrayRef<char> bytes;
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    bytes = blob->getData();
  } else if (auto dense = llvm::dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat())
      return std::nullopt;
    bytes = dense.getRawData();
  } else {
    return std::nullopt;
  }
  if (bytes.size() != size)
    return std::nullopt;
  return bytes;
}

/// Writes `bytes` (row-major, `shape`, elements of `elementSize` bytes)
/// permuted into `out`: result dim d is input dim perm[d].
void permute(ArrayRef<char> bytes, ArrayRef<int64_t> shape,
             ArrayRef<int64_t> perm, size_t elementSize,
             MutableArrayRef<char> out) {
  int64_t rank = shape.size();
  if (out.empty() || rank == 0)
    return;
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 1; d > 0; --d)
    inStrides[d - 1] = inStrides[d] * shape[d];
  SmallVector<int64_t> outShape, stride;
  for (int64_t p : perm) {
    outShape.push_back(shape[p]);
    stride.push_back(inStrides[p]);
  }
  // Walk the output in order; its innermost dim is a strided gather.
  SmallVector<int64_t> index(rank, 0);
  int64_t inner = outShape.back(), innerStride = stride.back();
  char *dst = out.data();
  while (true) {
    int64_t base = 0;
    for (int64_t d = 0; d + 1 < rank; ++d)
      base += index[d] * stride[d];
    for (int64_t i = 0; i < inner; ++i, dst += elementSize)
      std::memcpy(dst, bytes.data() + (base + i * innerStride) * elementSize,
                  elementSize);
    int64_t d = rank - 2;
    for (; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

struct FoldTransposeOfConstant : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op->getNumResults())
      return rewriter.notifyMatchFailure(op, "transpose on buffers");
    auto constant = op.getInput().getDefiningOp<arith::ConstantOp>();
    auto value =
        constant ? llvm::dyn_cast<ElementsAttr>(constant.getValue()) : nullptr;
    if (!value)
      return rewriter.notifyMatchFailure(op, "input is not a constant");
    std::optional<ArrayRef<char>> bytes = rawBytes(value);
    if (!bytes)
      return rewriter.notifyMatchFailure(op, "no raw bytes to permute");
    auto inType = llvm::cast<ShapedType>(value.getType());
    auto outType = llvm::cast<RankedTensorType>(op->getResult(0).getType());
    AsmResourceBlob blob = HeapAsmResourceBlob::allocate(
        bytes->size(), alignof(std::max_align_t), /*dataIsMutable=*/true);
    permute(*bytes, inType.getShape(), op.getPermutation(),
            inType.getElementTypeBitWidth() / 8, blob.getMutableData());
    std::string name = "transposed";
    if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(value))
      name = (resource.getRawHandle().getKey() + ".transposed").str();
    auto folded =
        DenseResourceElementsAttr::get(outType, name, std::move(blob));
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, outType, folded);
    return success();
  }
};

struct DQFoldConstantTransposesPass
    : public mlir::dq::impl::DQFoldConstantTransposesBase<
          DQFoldConstantTransposesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldTransposeOfConstant>(&getContext());
    // Only the rewritten ops: no folding or DCE of anything else.
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    config.enableFolding(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
