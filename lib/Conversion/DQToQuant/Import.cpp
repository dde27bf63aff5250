//===- Import.cpp - !quant.uniform constant weights to dq weights ---------===//
//
//   quant.dcast(quant.scast(arith.constant <tensor<N x K x iB>>))
//
// with one scale and zero point per row and per group of G columns becomes
// dq.constant (s, z = -zp * s) + dq.dequantize.
//
//===----------------------------------------------------------------------===//

#include "dq/Conversion/DQToQuant/DQToQuant.h"

#include "WeightData.h"
#include "dq/Support/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;
using namespace mlir::dq;

namespace {

/// The constant integer tensor behind `dcast`, or null.
arith::ConstantOp getIntConstant(Operation *dcast) {
  auto op = llvm::dyn_cast<quant::DequantizeCastOp>(dcast);
  if (!op)
    return nullptr;
  auto scast = op.getInput().getDefiningOp<quant::StorageCastOp>();
  if (!scast)
    return nullptr;
  auto constant = scast.getInput().getDefiningOp<arith::ConstantOp>();
  if (!constant || !llvm::isa<DenseIntElementsAttr>(constant.getValue()))
    return nullptr;
  return constant;
}

/// The dq bit width whose signed range is [min, max], or 0.
unsigned bitsForRange(int64_t min, int64_t max) {
  for (unsigned bits : {2u, 3u, 4u, 8u})
    if (min == -(int64_t(1) << (bits - 1)) &&
        max == (int64_t(1) << (bits - 1)) - 1)
      return bits;
  return 0;
}

} // namespace

bool mlir::dq::isConstantQuantWeight(Operation *dcast) {
  return getIntConstant(dcast) != nullptr;
}

LogicalResult
mlir::dq::importWeightFromQuant(RewriterBase &rewriter, Operation *dcast,
                                FloatType scaleType,
                                function_ref<InFlightDiagnostic()> emitDiag) {
  auto fail = [&](auto &&...parts) -> LogicalResult {
    if (emitDiag) {
      InFlightDiagnostic diag = emitDiag();
      (diag << ... << parts);
    }
    return failure();
  };
  arith::ConstantOp constant = getIntConstant(dcast);
  if (!constant)
    return fail("expects quant.dcast(quant.scast(arith.constant))");
  auto op = llvm::cast<quant::DequantizeCastOp>(dcast);
  auto tensorType = llvm::dyn_cast<RankedTensorType>(op.getInput().getType());
  if (!tensorType || tensorType.getRank() != 2 || !tensorType.hasStaticShape())
    return fail("a dq weight is a static 2-D tensor, not ",
                op.getInput().getType());
  int64_t rows = tensorType.getDimSize(0), cols = tensorType.getDimSize(1);
  auto quantType =
      llvm::dyn_cast<quant::QuantizedType>(tensorType.getElementType());
  if (!quantType)
    return fail("the operand's elements are not a quantized type");

  // Scales and zero points, one per (row, group).
  int64_t group;
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  if (auto perAxis =
          llvm::dyn_cast<quant::UniformQuantizedPerAxisType>(quantType)) {
    if (perAxis.getQuantizedDimension() != 0)
      return fail("per-axis quantization along dimension ",
                  perAxis.getQuantizedDimension(),
                  " has no dq equivalent (dq needs one scale per row: axis 0)");
    group = cols;
    scales.assign(perAxis.getScales().begin(), perAxis.getScales().end());
    zeroPoints.assign(perAxis.getZeroPoints().begin(),
                      perAxis.getZeroPoints().end());
  } else if (auto sub = llvm::dyn_cast<quant::UniformQuantizedSubChannelType>(
                 quantType)) {
    int64_t block[2] = {rows, cols};
    for (auto [dim, size] : sub.getBlockSizeInfo())
      block[dim] = size;
    if (block[0] != 1)
      return fail("sub-channel blocks of ", block[0], "x", block[1],
                  " have no dq equivalent (dq needs blocks of 1 row and G "
                  "columns, along K)");
    group = block[1];
    for (const APFloat &s : sub.getScales().getValues<APFloat>()) {
      APFloat d = s;
      bool lost;
      d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      scales.push_back(d.convertToDouble());
    }
    for (const APInt &zp : sub.getZeroPoints().getValues<APInt>())
      zeroPoints.push_back(zp.getSExtValue());
  } else if (llvm::isa<quant::UniformQuantizedType>(quantType)) {
    return fail("per-tensor quantization has no dq equivalent (dq needs one "
                "scale per row and group)");
  } else {
    return fail("unsupported quantized type ", quantType);
  }

  if (!quantType.getExpressedType().isF32())
    return fail("expressed type ", quantType.getExpressedType(),
                " is not f32 (the dq interop exports and imports f32)");
  if (!quantType.isSigned())
    return fail("unsigned storage u", quantType.getStorageTypeIntegralWidth(),
                " does not match dq's signed (two's complement) integers");
  unsigned bits = bitsForRange(quantType.getStorageTypeMin(),
                               quantType.getStorageTypeMax());
  if (!bits)
    return fail("storage range [", quantType.getStorageTypeMin(), ", ",
                quantType.getStorageTypeMax(), "] of ",
                quantType.getStorageType(),
                " is not the signed range of 2, 3, 4 or 8 bits");

  auto type = WeightType::getChecked(
      [&] { return dcast->emitError(); }, rewriter.getContext(), rows, cols,
      bits, group, Type(scaleType),
      WeightLayoutAttrInterface(RowMajorAttr::get(rewriter.getContext())));
  if (!type)
    return failure();

  // The integer part, packed.
  auto values = llvm::cast<DenseIntElementsAttr>(constant.getValue());
  SmallVector<int8_t> q;
  q.reserve(rows * cols);
  for (const APInt &v : values.getValues<APInt>())
    q.push_back(static_cast<int8_t>(v.getSExtValue()));
  for (int64_t i = 0, e = q.size(); i < e; ++i)
    if (q[i] < type.getMinInt() || q[i] > type.getMaxInt())
      return fail("integer ", int(q[i]), " at row ", i / cols, " column ",
                  i % cols, " is outside the storage range [", type.getMinInt(),
                  ", ", type.getMaxInt(), "]");
  SmallVector<uint8_t> packed(rows * type.getPackedRowBytes());
  if (llvm::Error err = ::dq::packRowMajor(q, rows, cols, bits, packed))
    return fail(llvm::toString(std::move(err)));

  // Scales (exact in the scale type) and offsets z = -zp * s, rounded once.
  unsigned width = scaleType.getWidth();
  SmallVector<char> scaleBytes, offsetBytes;
  auto append = [&](SmallVector<char> &out, double value) {
    APFloat v(value);
    bool lost;
    v.convert(scaleType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &lost);
    uint64_t word = v.bitcastToAPInt().getZExtValue();
    char buffer[8];
    std::memcpy(buffer, &word, sizeof(word));
    out.append(buffer, buffer + width / 8);
  };
  int64_t groups = cols / group;
  for (int64_t i = 0, e = scales.size(); i < e; ++i) {
    double s = scales[i];
    if (roundTo(s, scaleType) != s)
      return fail("scale ", s, " at row ", i / groups, " group ", i % groups,
                  " is not exactly representable in ", scaleType);
    append(scaleBytes, s);
    append(offsetBytes, zeroPoints[i] == 0 ? 0.0 : -double(zeroPoints[i]) * s);
  }

  // Blob names: the constant's location name when there is one.
  std::string base = "quant_weight";
  if (auto name = llvm::dyn_cast<NameLoc>(constant.getLoc()))
    base = name.getName().str();
  // One dq.constant for all the dcasts of this storage cast.
  Operation *scast = op.getInput().getDefiningOp();
  rewriter.setInsertionPointAfter(scast);
  ArrayRef<char> packedBytes(reinterpret_cast<const char *>(packed.data()),
                             packed.size());
  auto weight = ConstantOp::create(
      rewriter, constant.getLoc(), type,
      makeBlob(type.getPackedTensorType(), base + "_q", packedBytes),
      makeBlob(type.getScaleTensorType(), base + "_s", scaleBytes),
      makeBlob(type.getScaleTensorType(), base + "_z", offsetBytes));
  for (Operation *user : llvm::make_early_inc_range(scast->getUsers())) {
    auto cast = llvm::dyn_cast<quant::DequantizeCastOp>(user);
    if (!cast)
      continue;
    rewriter.setInsertionPoint(cast);
    rewriter.replaceOpWithNewOp<DequantizeOp>(cast, cast.getType(), weight);
  }
  if (scast->use_empty())
    rewriter.eraseOp(scast);
  if (constant->use_empty())
    rewriter.eraseOp(constant);
  return success();
}

namespace {

struct ImportDequantizeCast : public OpRewritePattern<quant::DequantizeCastOp> {
  ImportDequantizeCast(MLIRContext *ctx, FloatType scaleType)
      : OpRewritePattern(ctx), scaleType(scaleType) {}

  LogicalResult matchAndRewrite(quant::DequantizeCastOp op,
                                PatternRewriter &rewriter) const override {
    return importWeightFromQuant(rewriter, op, scaleType);
  }

  FloatType scaleType;
};

/// linalg.matmul(x, dq.dequantize(w)) with B read transposed into a zero
/// fill becomes dq.matmul(x, w).
struct FuseDequantizeMatmul : public OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getInputs().size() != 2 ||
        op.getOutputs().size() != 1)
      return failure();
    auto dequantize = op.getInputs()[1].getDefiningOp<DequantizeOp>();
    if (!dequantize)
      return failure();
    MLIRContext *ctx = op.getContext();
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    SmallVector<AffineMap> expected = {AffineMap::get(3, 0, {m, k}, ctx),
                                       AffineMap::get(3, 0, {n, k}, ctx),
                                       AffineMap::get(3, 0, {m, n}, ctx)};
    if (op.getIndexingMapsArray() != ArrayRef<AffineMap>(expected))
      return rewriter.notifyMatchFailure(op, "B is not read transposed");
    auto fill = op.getOutputs()[0].getDefiningOp<linalg::FillOp>();
    if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
      return rewriter.notifyMatchFailure(op, "does not start from zero");
    Value x = op.getInputs()[0];
    auto xType = llvm::cast<RankedTensorType>(x.getType());
    auto resultType = llvm::cast<RankedTensorType>(op.getResultTypes()[0]);
    if (xType.getElementType() != resultType.getElementType())
      return rewriter.notifyMatchFailure(op, "mixed activation/result types");
    rewriter.replaceOpWithNewOp<MatmulOp>(op, resultType, x,
                                          dequantize.getWeight());
    // Drop what only the float matmul needed.
    if (dequantize->use_empty())
      rewriter.eraseOp(dequantize);
    if (fill->use_empty()) {
      Operation *init = fill.getOutputs()[0].getDefiningOp();
      rewriter.eraseOp(fill);
      if (init && init->use_empty() && isPure(init))
        rewriter.eraseOp(init);
    }
    return success();
  }
};

} // namespace

void mlir::dq::populateQuantToDQPatterns(RewritePatternSet &patterns,
                                         FloatType scaleType) {
  patterns.add<ImportDequantizeCast>(patterns.getContext(), scaleType);
}

void mlir::dq::populateDQMatmulFromDequantizePatterns(
    RewritePatternSet &patterns) {
  patterns.add<FuseDequantizeMatmul>(patterns.getContext());
}
