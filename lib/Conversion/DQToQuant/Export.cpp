//===- Export.cpp - dq weights to !quant.uniform sub-channel types --------===//
//
// A row_major dq.constant with z = -zp * s becomes
//
//   %q = arith.constant dense<...> : tensor<N x K x iB>
//   %t = quant.scast %q : tensor<N x K x iB>
//          to tensor<N x K x !quant.uniform<iB:f32:{0:1, 1:G}, {{s:zp, ...}}>>
//
// and its dq.dequantize / dq.matmul users read quant.dcast %t.
//
//===----------------------------------------------------------------------===//

#include "dq/Conversion/DQToQuant/DQToQuant.h"

#include "DQToLinalg/WeightLowering.h"
#include "WeightData.h"
#include "dq/Support/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dq;

namespace {

/// The integer part, scales and zero points of a representable weight.
struct QuantWeight {
  SmallVector<int8_t> q;
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
};

/// Reads and checks `op`; emits through `emitDiag` (if any) on failure.
FailureOr<QuantWeight> analyze(ConstantOp op, const DQToQuantOptions &options,
                               function_ref<InFlightDiagnostic()> emitDiag) {
  auto fail = [&](auto &&...parts) -> FailureOr<QuantWeight> {
    if (emitDiag) {
      InFlightDiagnostic diag = emitDiag();
      (diag << ... << parts);
    }
    return failure();
  };
  WeightType type = op.getWeightType();
  std::string name = describeWeight(op.getPacked());
  if (!type.isRowMajor())
    return fail(name, " is not in the row_major layout; export before "
                      "--dq-pack-weights");
  for (Operation *user : op->getUsers())
    if (!llvm::isa<DequantizeOp, MatmulOp>(user))
      return fail(name, " is used by '", user->getName(),
                  "', which has no quant counterpart (only dq.dequantize "
                  "and dq.matmul are exported)");

  QuantWeight w;
  FailureOr<SmallVector<char>> packed = getElementBytes(op.getPacked());
  if (failed(packed))
    return fail(name, ": the packed blob has no data (elided)");
  int64_t rows = type.getRows(), cols = type.getCols();
  w.q.resize(rows * cols);
  ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(packed->data()),
                          packed->size());
  if (llvm::Error err =
          ::dq::unpackRowMajor(bytes, rows, cols, type.getBits(), w.q))
    return fail(name, ": ", llvm::toString(std::move(err)));

  auto scaleType = llvm::cast<FloatType>(type.getScaleType());
  FailureOr<SmallVector<double>> scales = readFloats(op.getScale(), scaleType);
  FailureOr<SmallVector<double>> offsets =
      readFloats(op.getOffset(), scaleType);
  if (failed(scales) || failed(offsets))
    return fail(name, ": the scale or offset blob has no data (elided)");

  int64_t zpMin = options.wideStorage ? -128 : type.getMinInt();
  int64_t zpMax = options.wideStorage ? 127 : type.getMaxInt();
  int64_t groups = type.getNumGroups();
  w.scales = std::move(*scales);
  w.zeroPoints.resize(w.scales.size());
  for (int64_t i = 0, e = w.scales.size(); i < e; ++i) {
    double s = w.scales[i], z = (*offsets)[i];
    int64_t row = i / groups, group = i % groups;
    if (!(s > 0) || !std::isfinite(s))
      return fail(name, " row ", row, " group ", group, ": scale ", s,
                  " is not positive (quant.uniform needs scales > 0)");
    double ratio = -z / s;
    if (!std::isfinite(ratio) || std::fabs(ratio) > 1e9)
      return fail(name, " row ", row, " group ", group,
                  ": zero point -z/s = ", ratio, " (offset ", z, ", scale ", s,
                  ") is out of range [", zpMin, ", ", zpMax, "]");
    int64_t zp = static_cast<int64_t>(std::nearbyint(ratio));
    // -zp * s is exact in f64 (|zp| < 2^31, s has at most 24 significant
    // bits): the offset must be exactly that, so that s * q + z is exactly
    // (q - zp) * s, what quant.dcast computes.
    if (-double(zp) * s != z)
      return fail(name, " row ", row, " group ", group,
                  ": non-integer zero point -z/s = ", ratio, " (offset ", z,
                  ", scale ", s, ")");
    if (zp < zpMin || zp > zpMax)
      return fail(name, " row ", row, " group ", group, ": zero point ", zp,
                  " (offset ", z, ", scale ", s, ") is out of range [", zpMin,
                  ", ", zpMax, "] of the ",
                  options.wideStorage ? "i8"
                                      : "i" + std::to_string(type.getBits()),
                  " storage");
    w.zeroPoints[i] = zp;
  }
  return w;
}

} // namespace

LogicalResult
mlir::dq::exportWeightToQuant(RewriterBase &rewriter, ConstantOp op,
                              const DQToQuantOptions &options,
                              function_ref<InFlightDiagnostic()> emitDiag) {
  FailureOr<QuantWeight> w = analyze(op, options, emitDiag);
  if (failed(w))
    return failure();

  WeightType type = op.getWeightType();
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();
  int64_t rows = type.getRows(), cols = type.getCols();
  int64_t groups = type.getNumGroups();
  unsigned width = options.wideStorage ? 8 : type.getBits();
  auto storage = IntegerType::get(ctx, width);
  Type f32 = Float32Type::get(ctx);

  SmallVector<APFloat> scaleValues;
  SmallVector<APInt> zpValues;
  for (auto [s, zp] : llvm::zip_equal(w->scales, w->zeroPoints)) {
    scaleValues.push_back(APFloat(static_cast<float>(s)));
    zpValues.push_back(APInt(width, zp, /*isSigned=*/true));
  }
  auto scales = DenseElementsAttr::get(
      RankedTensorType::get({rows, groups}, f32), scaleValues);
  auto zeroPoints = DenseElementsAttr::get(
      RankedTensorType::get({rows, groups}, storage), zpValues);
  auto quantType = quant::UniformQuantizedSubChannelType::getChecked(
      [&] { return op.emitError(); }, quant::QuantizationFlags::Signed, storage,
      f32, scales, zeroPoints, ArrayRef<int32_t>{0, 1},
      ArrayRef<int64_t>{1, type.getGroup()}, type.getMinInt(),
      type.getMaxInt());
  if (!quantType)
    return failure();

  SmallVector<APInt> qValues;
  qValues.reserve(w->q.size());
  for (int8_t v : w->q)
    qValues.push_back(APInt(width, v, /*isSigned=*/true));
  auto intType = RankedTensorType::get({rows, cols}, storage);
  // Name the integer constant after the weight's blobs (fc1_q -> fc1), so
  // that --dq-import-quant gives them their names back.
  Location constantLoc = loc;
  if (auto resource =
          llvm::dyn_cast<DenseResourceElementsAttr>(op.getPacked())) {
    StringRef key = resource.getRawHandle().getKey();
    key.consume_back("_q");
    constantLoc = NameLoc::get(StringAttr::get(ctx, key), loc);
  }
  rewriter.setInsertionPoint(op);
  Value ints = arith::ConstantOp::create(
      rewriter, constantLoc, DenseElementsAttr::get(intType, qValues));
  Value quantized = quant::StorageCastOp::create(
      rewriter, loc, RankedTensorType::get({rows, cols}, quantType), ints);

  auto dequantized = RankedTensorType::get({rows, cols}, f32);
  for (Operation *user : llvm::make_early_inc_range(op->getUsers())) {
    rewriter.setInsertionPoint(user);
    Value weight = quant::DequantizeCastOp::create(rewriter, user->getLoc(),
                                                   dequantized, quantized);
    if (auto dequantize = llvm::dyn_cast<DequantizeOp>(user)) {
      auto resultType = llvm::cast<RankedTensorType>(dequantize.getType());
      if (resultType.getElementType() != f32)
        weight = arith::TruncFOp::create(rewriter, user->getLoc(), resultType,
                                         weight);
      rewriter.replaceOp(user, weight);
      continue;
    }
    auto matmul = llvm::cast<MatmulOp>(user);
    rewriter.replaceOp(
        user,
        buildFloatMatmul(rewriter, user->getLoc(), matmul.getInput(), weight,
                         llvm::cast<RankedTensorType>(matmul.getType())));
  }
  rewriter.eraseOp(op);
  return success();
}

namespace {

struct ExportConstant : public OpRewritePattern<ConstantOp> {
  ExportConstant(MLIRContext *ctx, const DQToQuantOptions &options)
      : OpRewritePattern(ctx), options(options) {}

  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    return exportWeightToQuant(rewriter, op, options);
  }

  DQToQuantOptions options;
};

} // namespace

void mlir::dq::populateDQToQuantPatterns(RewritePatternSet &patterns,
                                         const DQToQuantOptions &options) {
  patterns.add<ExportConstant>(patterns.getContext(), options);
}
