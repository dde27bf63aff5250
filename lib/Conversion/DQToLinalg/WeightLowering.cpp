//===- WeightLowering.cpp - upstream IR for dq weights --------------------===//

#include "WeightLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <numeric>

using namespace mlir;
using namespace mlir::dq;

static SmallVector<utils::IteratorType> parallelLoops(unsigned n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}

/// Casts a float scalar to `type` (extension or truncation) if needed.
static Value castFloat(OpBuilder &b, Location loc, Value v, Type type) {
  Type from = v.getType();
  if (from == type)
    return v;
  if (from.getIntOrFloatBitWidth() < type.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, type, v);
  return arith::TruncFOp::create(b, loc, type, v);
}

/// Unpacks fields that straddle bytes (3 bits) block by block: F = 8 /
/// gcd(B, 8) fields fill exactly B*F/8 bytes, so the packed row reshapes to
/// [K/F, B*F/8] bytes and the fields to [K/F, F], and every indexing map is
/// a plain dimension or constant. Other stacks tile such maps; IREE rejects
/// the (k*B) floordiv 8 maps of the general form.
static Value buildBlockUnpack(OpBuilder &b, Location loc, Value packed,
                              WeightType type, bool logical) {
  MLIRContext *ctx = b.getContext();
  unsigned bits = type.getBits();
  int64_t fields = 8 / std::gcd(bits, 8u), bytes = bits * fields / 8;
  int64_t rows = type.getRows(), blocks = type.getCols() / fields;
  SmallVector<ReassociationIndices> split = {{0}, {1, 2}};
  Value blocked = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({rows, blocks, bytes}, b.getI8Type()),
      packed, split);

  RankedTensorType qType = type.getIntTensorType();
  Type fieldType = qType.getElementType();
  Type elementType = logical ? fieldType : b.getI8Type();
  AffineExpr n = getAffineDimExpr(0, ctx), g = getAffineDimExpr(1, ctx);
  SmallVector<Value> inputs(bytes, blocked);
  SmallVector<AffineMap> maps;
  for (int64_t i = 0; i < bytes; ++i)
    maps.push_back(
        AffineMap::get(3, 0, {n, g, getAffineConstantExpr(i, ctx)}, ctx));
  maps.push_back(AffineMap::getMultiDimIdentityMap(3, ctx));
  Value init =
      tensor::EmptyOp::create(b, loc, {rows, blocks, fields}, elementType);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      parallelLoops(3), [&](OpBuilder &nb, Location nl, ValueRange args) {
        Type i32 = nb.getI32Type();
        Value word;
        for (int64_t i = 0; i < bytes; ++i) {
          Value byte = arith::ExtUIOp::create(nb, nl, i32, args[i]);
          if (i)
            byte = arith::ShLIOp::create(
                nb, nl, byte, arith::ConstantIntOp::create(nb, nl, i32, 8 * i));
          word =
              i ? arith::OrIOp::create(nb, nl, word, byte).getResult() : byte;
        }
        Value j = linalg::IndexOp::create(nb, nl, 2);
        j = arith::IndexCastUIOp::create(nb, nl, i32, j);
        Value shift = arith::MulIOp::create(
            nb, nl, j, arith::ConstantIntOp::create(nb, nl, i32, bits));
        Value field = arith::ShRUIOp::create(nb, nl, word, shift);
        field = arith::TruncIOp::create(nb, nl, fieldType, field);
        if (!logical)
          field = arith::ExtSIOp::create(nb, nl, elementType, field);
        linalg::YieldOp::create(nb, nl, field);
      });
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get(qType.getShape(), elementType),
      generic.getResult(0), split);
}

Value mlir::dq::buildUnpack(OpBuilder &b, Location loc, Value packed,
                            WeightType type, bool logical) {
  unsigned bits = type.getBits();
  // At 8 bits the storage already is the logical tensor.
  if (bits == 8)
    return packed;

  bool straddles = 8 % bits != 0;
  if (straddles && type.getCols() % (8 / std::gcd(bits, 8u)) == 0)
    return buildBlockUnpack(b, loc, packed, type, logical);

  MLIRContext *ctx = b.getContext();
  AffineExpr n = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx);
  // A field starts in byte (k*B) / 8 and ends in byte (k*B + B - 1) / 8; the
  // two differ only when B does not divide 8 (3 bits), so read the second
  // byte only then.
  SmallVector<Value> inputs = {packed};
  AffineExpr firstByte =
      straddles ? (k * bits).floorDiv(8) : k.floorDiv(8 / bits);
  SmallVector<AffineMap> maps = {AffineMap::get(2, 0, {n, firstByte}, ctx)};
  if (straddles) {
    inputs.push_back(packed);
    maps.push_back(
        AffineMap::get(2, 0, {n, (k * bits + bits - 1).floorDiv(8)}, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(2, ctx));

  RankedTensorType qType = type.getIntTensorType();
  Type fieldType = qType.getElementType();
  if (!logical)
    qType = RankedTensorType::get(qType.getShape(), b.getI8Type());
  Value init =
      tensor::EmptyOp::create(b, loc, qType.getShape(), qType.getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{qType}, inputs, ValueRange{init}, maps,
      parallelLoops(2), [&](OpBuilder &nb, Location nl, ValueRange args) {
        Type i32 = nb.getI32Type();
        Value word = arith::ExtUIOp::create(nb, nl, i32, args[0]);
        if (straddles) {
          Value hi = arith::ExtUIOp::create(nb, nl, i32, args[1]);
          Value eight = arith::ConstantIntOp::create(nb, nl, i32, 8);
          hi = arith::ShLIOp::create(nb, nl, hi, eight);
          word = arith::OrIOp::create(nb, nl, word, hi);
        }
        // Bit offset of the field inside its first byte: (k * B) mod 8.
        Value col = linalg::IndexOp::create(nb, nl, 1);
        col = arith::IndexCastUIOp::create(nb, nl, i32, col);
        Value bitPos = arith::MulIOp::create(
            nb, nl, col, arith::ConstantIntOp::create(nb, nl, i32, bits));
        Value shift = arith::AndIOp::create(
            nb, nl, bitPos, arith::ConstantIntOp::create(nb, nl, i32, 7));
        Value field = arith::ShRUIOp::create(nb, nl, word, shift);
        // Truncation keeps the two's-complement field; iB reads as signed.
        field = arith::TruncIOp::create(nb, nl, fieldType, field);
        if (!logical)
          field = arith::ExtSIOp::create(nb, nl, qType.getElementType(), field);
        linalg::YieldOp::create(nb, nl, field);
      });
  return generic.getResult(0);
}

Value mlir::dq::buildIntCast(OpBuilder &b, Location loc, Value x,
                             Type elementType) {
  auto type = llvm::cast<RankedTensorType>(x.getType());
  Type from = type.getElementType();
  if (from == elementType)
    return x;
  MLIRContext *ctx = b.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(type.getRank(), ctx);
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(), elementType);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
             ArrayRef<AffineMap>{identity, identity},
             parallelLoops(type.getRank()),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value v = args[0];
               if (from.getIntOrFloatBitWidth() <
                   elementType.getIntOrFloatBitWidth())
                 v = arith::ExtSIOp::create(nb, nl, elementType, v);
               else
                 v = arith::TruncIOp::create(nb, nl, elementType, v);
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

Value mlir::dq::buildDequantize(OpBuilder &b, Location loc,
                                const WeightParts &parts, WeightType type,
                                Type elementType) {
  MLIRContext *ctx = b.getContext();
  AffineExpr n = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx);
  AffineExpr group = type.isPerChannel() ? getAffineConstantExpr(0, ctx)
                                         : k.floorDiv(type.getGroup());
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap groupMap = AffineMap::get(2, 0, {n, group}, ctx);

  Value init = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{type.getRows(), type.getCols()}, elementType);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()},
      ValueRange{parts.q, parts.scale, parts.offset}, ValueRange{init},
      ArrayRef<AffineMap>{identity, groupMap, groupMap, identity},
      parallelLoops(2), [&](OpBuilder &nb, Location nl, ValueRange args) {
        Type f32 = nb.getF32Type();
        Value q = arith::SIToFPOp::create(nb, nl, f32, args[0]);
        Value s = castFloat(nb, nl, args[1], f32);
        Value z = castFloat(nb, nl, args[2], f32);
        Value w = arith::MulFOp::create(nb, nl, s, q);
        w = arith::AddFOp::create(nb, nl, w, z);
        linalg::YieldOp::create(nb, nl, castFloat(nb, nl, w, elementType));
      });
  return generic.getResult(0);
}

Value mlir::dq::collapseToMatrix(OpBuilder &b, Location loc, Value x) {
  auto type = llvm::cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  if (rank == 2)
    return x;
  if (rank == 1) {
    auto matrix =
        RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType());
    return tensor::ExpandShapeOp::create(
        b, loc, matrix, x, ArrayRef<ReassociationIndices>{{0, 1}});
  }
  ReassociationIndices batch;
  for (int64_t i = 0; i + 1 < rank; ++i)
    batch.push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc, x, ArrayRef<ReassociationIndices>{batch, {rank - 1}});
}

Value mlir::dq::expandFromMatrix(OpBuilder &b, Location loc, Value y, Value x,
                                 RankedTensorType resultType) {
  int64_t rank = resultType.getRank();
  if (rank == 2)
    return y;
  if (rank == 1)
    return tensor::CollapseShapeOp::create(
        b, loc, resultType, y, ArrayRef<ReassociationIndices>{{0, 1}});
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i + 1 < rank; ++i)
    sizes.push_back(tensor::getMixedSize(b, loc, x, i));
  sizes.push_back(b.getIndexAttr(resultType.getShape().back()));
  ReassociationIndices batch;
  for (int64_t i = 0; i + 1 < rank; ++i)
    batch.push_back(i);
  return tensor::ExpandShapeOp::create(
      b, loc, resultType, y, ArrayRef<ReassociationIndices>{batch, {rank - 1}},
      sizes);
}

Value mlir::dq::buildMatmul(OpBuilder &b, Location loc, Value input,
                            const WeightParts &parts, WeightType type,
                            RankedTensorType resultType) {
  Value w = buildDequantize(b, loc, parts, type, b.getF32Type());
  return buildFloatMatmul(b, loc, input, w, resultType);
}

Value mlir::dq::buildFloatMatmul(OpBuilder &b, Location loc, Value input,
                                 Value weight, RankedTensorType resultType) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  Value x = collapseToMatrix(b, loc, input);
  Value w = weight;
  int64_t rows = llvm::cast<RankedTensorType>(w.getType()).getDimSize(0);

  // Accumulate in f32 whatever the activation type.
  SmallVector<OpFoldResult> accSizes = {tensor::getMixedSize(b, loc, x, 0),
                                        b.getIndexAttr(rows)};
  Value acc = tensor::EmptyOp::create(b, loc, accSizes, f32);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  acc = linalg::FillOp::create(b, loc, zero, acc).getResult(0);

  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  // The weight is [N, K]: B is read transposed.
  auto maps = b.getAffineMapArrayAttr({AffineMap::get(3, 0, {m, k}, ctx),
                                       AffineMap::get(3, 0, {n, k}, ctx),
                                       AffineMap::get(3, 0, {m, n}, ctx)});
  Value y = linalg::MatmulOp::create(b, loc, TypeRange{acc.getType()},
                                     ValueRange{x, w}, ValueRange{acc},
                                     {b.getNamedAttr("indexing_maps", maps)})
                .getResult(0);

  Type elementType = resultType.getElementType();
  if (elementType != f32) {
    Value init = tensor::EmptyOp::create(b, loc, accSizes, elementType);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
    y = linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{y}, ValueRange{init},
            ArrayRef<AffineMap>{identity, identity}, parallelLoops(2),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              linalg::YieldOp::create(nb, nl,
                                      castFloat(nb, nl, args[0], elementType));
            })
            .getResult(0);
  }
  return expandFromMatrix(b, loc, y, input, resultType);
}
