//===- TileBlock.cpp - the register-blocked inner loops of the kernels ----===//
//
// One call computes y[m0 .. m0+rows, 16·tile .. 16·tile+16): one 512-bit
// accumulator per activation row, lane l for output row 16·tile + l. The
// group loop walks K; inside a group, the chunk loop loads 64-byte planes
// (one 32-bit word per output row) and unpacks fields with whole-vector
// shifts and masks, so every instruction serves 16 output rows:
//
//   f32 route:  acc_g[m] += x[m, k] (broadcast) * float(u[:, k])   per column
//   int8 route: acc_g[m] += vpdpbusd(u[:, k..k+3], xq[m, k..k+3])  per quad
//
// and after each group the scale and offset of the 16 rows are applied as
// vectors. Independent partial sums per row keep the FMA/dot-product
// latency hidden when few activation rows share the weights.
//
//===----------------------------------------------------------------------===//

#include "Kernel.h"
#include "KernelUtil.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq::kernel;

namespace {

struct TileBlockBuilder {
  OpBuilder &b;
  Location loc;
  const KernelSpec &spec;
  const Activations &act;
  N16K4Geometry geo;
  unsigned bits;
  unsigned rows;
  VectorType vf32, vi32, vi8;

  TileBlockBuilder(OpBuilder &b, Location loc, const KernelSpec &spec,
                   const Activations &act, unsigned rows)
      : b(b), loc(loc), spec(spec), act(act), geo(spec.geometry()),
        bits(spec.weight.getBits()), rows(rows), vf32(vecType(b.getF32Type())),
        vi32(vecType(b.getI32Type())), vi8(vecType(b.getI8Type(), 4 * kLanes)) {
  }

  unsigned planes() const { return bits == 3 ? 3 : 1; }

  /// The planes of chunk `chunk` of group `g` of the tile as 16 x i32.
  SmallVector<Value> loadChunk(OpBuilder &nb, Location nl, Value packed,
                               Value tile, Value g, Value chunk) {
    Value base = affine(nb, nl, nullptr, g, geo.groupBytes());
    base = affine(nb, nl, base, chunk, geo.chunkBytes());
    SmallVector<Value> words;
    for (unsigned p = 0; p < planes(); ++p) {
      Value at = arith::AddIOp::create(nb, nl, base,
                                       indexConst(nb, nl, 64 * int64_t(p)));
      Value bytes =
          vector::LoadOp::create(nb, nl, vi8, packed, ValueRange{tile, at});
      words.push_back(vector::BitCastOp::create(nb, nl, vi32, bytes));
    }
    return words;
  }

  /// m0, m0 + 1, ..., m0 + rows - 1.
  SmallVector<Value> rowIndices(OpBuilder &nb, Location nl, Value m0) {
    SmallVector<Value> idx;
    for (unsigned m = 0; m < rows; ++m)
      idx.push_back(arith::AddIOp::create(nb, nl, m0, indexConst(nb, nl, m)));
    return idx;
  }

  /// The padded activation column of the first column of a chunk.
  Value chunkColumn(OpBuilder &nb, Location nl, Value g, Value chunk) {
    Value col = affine(nb, nl, nullptr, g, geo.paddedGroup());
    return affine(nb, nl, col, chunk, geo.chunkCols());
  }

  Value shiftRight(OpBuilder &nb, Location nl, Value v, unsigned amount) {
    if (amount == 0)
      return v;
    return arith::ShRUIOp::create(nb, nl, v, splatI32(nb, nl, amount));
  }

  Value mask(OpBuilder &nb, Location nl, Value v, uint32_t m) {
    return arith::AndIOp::create(nb, nl, v, splatI32(nb, nl, int32_t(m)));
  }

  /// u[:, e] of the chunk (e < chunkCols) as 16 x f32 (f32 route).
  Value floatField(OpBuilder &nb, Location nl, ArrayRef<Value> words,
                   int64_t e) {
    if (spec.target == CPUTarget::AVX512 && (bits == 2 || bits == 4)) {
      // vpermps reads only the low 4 bits of each index: one table lookup
      // masks the field and converts it to float.
      unsigned shift = 8 * (e % 4) + bits * (e / 4);
      SmallVector<float> table;
      for (unsigned v = 0; v < 16; ++v)
        table.push_back(float(v & ((1u << bits) - 1)));
      Value lut = arith::ConstantOp::create(
          nb, nl, DenseElementsAttr::get(vf32, ArrayRef<float>(table)));
      return LLVM::CallIntrinsicOp::create(
                 nb, nl, vf32,
                 nb.getStringAttr("llvm.x86.avx512.permvar.sf.512"),
                 ValueRange{lut, shiftRight(nb, nl, words[0], shift)})
          .getResult(0);
    }
    return arith::SIToFPOp::create(nb, nl, vf32, field(nb, nl, words, e));
  }

  /// u[:, e] of the chunk (e < chunkCols) as 16 x i32.
  Value field(OpBuilder &nb, Location nl, ArrayRef<Value> words, int64_t e) {
    if (bits != 3) {
      unsigned shift = 8 * (e % 4) + bits * (e / 4);
      Value v = shiftRight(nb, nl, words[0], shift);
      if (shift + bits == 32)
        return v;
      return mask(nb, nl, v, (1u << bits) - 1);
    }
    int64_t e2 = e % 16;
    Value low =
        mask(nb, nl,
             shiftRight(nb, nl, words[e / 16], 8 * (e2 % 4) + 2 * (e2 / 4)), 3);
    unsigned at = 8 * (e % 4) + e / 4; // bit 2 of u, moved to position 2
    Value high = at >= 2 ? shiftRight(nb, nl, words[2], at - 2)
                         : arith::ShLIOp::create(nb, nl, words[2],
                                                 splatI32(nb, nl, 2 - at))
                               .getResult();
    high = mask(nb, nl, high, 4);
    return arith::OrIOp::create(nb, nl, low, high);
  }

  /// The fields of quad j (columns 4j..4j+3 of the chunk) as one byte each,
  /// 16 x i32 (int8 route). With `scaled`, fields stay at their bit
  /// position (value u << bits*j) to save the shift; the caller divides.
  Value quad(OpBuilder &nb, Location nl, ArrayRef<Value> words, int64_t j,
             bool scaled) {
    auto rep = [](uint32_t byteMask) { return byteMask * 0x01010101u; };
    switch (bits) {
    case 8:
      return words[0];
    case 3: {
      Value low =
          mask(nb, nl, shiftRight(nb, nl, words[j / 4], 2 * (j % 4)), rep(3));
      Value high = mask(nb, nl, shiftRight(nb, nl, words[2], j), rep(1));
      high = arith::ShLIOp::create(nb, nl, high, splatI32(nb, nl, 2));
      return arith::OrIOp::create(nb, nl, low, high);
    }
    default: {
      uint32_t m = rep((1u << bits) - 1);
      if (scaled)
        return mask(nb, nl, words[0], m << (bits * j));
      return mask(nb, nl, shiftRight(nb, nl, words[0], bits * j), m);
    }
    }
  }

  /// acc + Σ_t u_t · x_t over the four bytes t of each lane: unsigned
  /// fields times signed activations.
  Value dot(OpBuilder &nb, Location nl, Value acc, Value fields, Value xWord) {
    if (spec.target == CPUTarget::AVX512) {
      Value w8 = vector::BitCastOp::create(nb, nl, vi8, fields);
      Value x8 =
          vector::BitCastOp::create(nb, nl, vi8, broadcast(nb, nl, xWord));
      return LLVM::CallIntrinsicOp::create(
                 nb, nl, vi32, nb.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
                 ValueRange{acc, w8, x8})
          .getResult(0);
    }
    // Portable form: byte t of every lane times the sign-extended byte t
    // of the activation word.
    for (unsigned t = 0; t < 4; ++t) {
      Value u = mask(nb, nl, shiftRight(nb, nl, fields, 8 * t), 0xff);
      Value xt =
          arith::ShLIOp::create(nb, nl, xWord, i32Const(nb, nl, 24 - 8 * t));
      xt = arith::ShRSIOp::create(nb, nl, xt, i32Const(nb, nl, 24));
      Value prod = arith::MulIOp::create(nb, nl, u, broadcast(nb, nl, xt));
      acc = arith::AddIOp::create(nb, nl, acc, prod);
    }
    return acc;
  }

  /// Loads 16 scale (or offset) values of group g as f32.
  Value loadParams(Value params, Value tile, Value g) {
    Value v = vector::LoadOp::create(
        b, loc, vecType(spec.weight.getScaleType()), params,
        ValueRange{tile, g, indexConst(b, loc, 0)});
    return extendToF32(b, loc, v);
  }

  Value sumAll(ArrayRef<Value> parts) {
    Value sum = parts[0];
    for (Value p : parts.drop_front())
      sum = arith::AddFOp::create(b, loc, sum, p);
    return sum;
  }

  /// Partial sums per activation row: enough independent chains to hide
  /// the latency of FMAs / dot products when rows are few.
  unsigned partials(int64_t perChunk) const {
    unsigned want = std::max(1u, 8u / rows);
    return unsigned(std::min<int64_t>(want, perChunk));
  }

  /// The f32 route over one group: Σ_k x[m, k] u[:, k] for each row m.
  SmallVector<Value> floatGroup(Value packed, Value tile, Value g, Value m0) {
    unsigned parts = partials(geo.chunkCols());
    SmallVector<Value> init(rows * parts, splatF32(b, loc, 0.0f));
    auto loop = scf::ForOp::create(
        b, loc, indexConst(b, loc, 0), indexConst(b, loc, geo.chunksPerGroup()),
        indexConst(b, loc, 1), init,
        [&](OpBuilder &nb, Location nl, Value chunk, ValueRange iter) {
          SmallVector<Value> acc(iter);
          SmallVector<Value> words = loadChunk(nb, nl, packed, tile, g, chunk);
          Value col0 = chunkColumn(nb, nl, g, chunk);
          SmallVector<Value> rowIdx = rowIndices(nb, nl, m0);
          for (int64_t e = 0; e < geo.chunkCols(); ++e) {
            Value u = floatField(nb, nl, words, e);
            Value col =
                arith::AddIOp::create(nb, nl, col0, indexConst(nb, nl, e));
            for (unsigned m = 0; m < rows; ++m) {
              Value xs = memref::LoadOp::create(nb, nl, act.padded,
                                                ValueRange{rowIdx[m], col});
              Value &a = acc[m * parts + e % parts];
              a = vector::FMAOp::create(nb, nl, broadcast(nb, nl, xs), u, a);
            }
          }
          scf::YieldOp::create(nb, nl, acc);
        });
    SmallVector<Value> results(loop.getResults());
    SmallVector<Value> sums;
    for (unsigned m = 0; m < rows; ++m)
      sums.push_back(sumAll(ArrayRef<Value>(results).slice(m * parts, parts)));
    return sums;
  }

  /// The int8 route over one group: Σ_k xq[m, k] u[:, k] for each row m,
  /// exact in i32.
  SmallVector<Value> intGroup(Value packed, Value tile, Value g, Value m0) {
    int64_t quads = geo.chunkCols() / 4;
    // Few rows: one partial per quad, which also lets 2- and 4-bit fields
    // stay at their bit position (the partial is then an exact multiple of
    // 2^(bits*j) and is shifted back once per group).
    unsigned parts = partials(quads);
    bool scaled = parts == quads && (bits == 2 || bits == 4);
    SmallVector<Value> init(rows * parts, splatI32(b, loc, 0));
    auto loop = scf::ForOp::create(
        b, loc, indexConst(b, loc, 0), indexConst(b, loc, geo.chunksPerGroup()),
        indexConst(b, loc, 1), init,
        [&](OpBuilder &nb, Location nl, Value chunk, ValueRange iter) {
          SmallVector<Value> acc(iter);
          SmallVector<Value> words = loadChunk(nb, nl, packed, tile, g, chunk);
          Value col0 = chunkColumn(nb, nl, g, chunk);
          SmallVector<Value> rowIdx = rowIndices(nb, nl, m0);
          VectorType v4i8 = vecType(nb.getI8Type(), 4);
          VectorType v1i32 = vecType(nb.getI32Type(), 1);
          for (int64_t j = 0; j < quads; ++j) {
            Value fields = quad(nb, nl, words, j, scaled);
            Value col =
                arith::AddIOp::create(nb, nl, col0, indexConst(nb, nl, 4 * j));
            for (unsigned m = 0; m < rows; ++m) {
              Value x4 = vector::LoadOp::create(nb, nl, v4i8, act.quantized,
                                                ValueRange{rowIdx[m], col});
              Value xw = vector::ExtractOp::create(
                  nb, nl, vector::BitCastOp::create(nb, nl, v1i32, x4),
                  ArrayRef<int64_t>{0});
              Value &a = acc[m * parts + j % parts];
              a = dot(nb, nl, a, fields, xw);
            }
          }
          scf::YieldOp::create(nb, nl, acc);
        });
    SmallVector<Value> sums;
    for (unsigned m = 0; m < rows; ++m) {
      Value sum = loop.getResult(m * parts);
      for (unsigned j = 1; j < parts; ++j) {
        Value v = loop.getResult(m * parts + j);
        if (scaled)
          v = arith::ShRSIOp::create(b, loc, v, splatI32(b, loc, bits * j));
        sum = arith::AddIOp::create(b, loc, sum, v);
      }
      sums.push_back(sum);
    }
    return sums;
  }

  void build(Value packed, Value scale, Value offset, Value y, Value tile,
             Value m0) {
    SmallVector<Value> rowIdx = rowIndices(b, loc, m0);
    SmallVector<Value> init(rows, splatF32(b, loc, 0.0f));
    float bias = float(geo.bias());
    auto groups = scf::ForOp::create(
        b, loc, indexConst(b, loc, 0), indexConst(b, loc, geo.numGroups()),
        indexConst(b, loc, 1), init,
        [&](OpBuilder &, Location, Value g, ValueRange iter) {
          SmallVector<Value> acc(iter);
          Value s = loadParams(scale, tile, g);
          Value z = loadParams(offset, tile, g);
          if (!spec.int8) {
            // Σ x (s (u - bias) + z) = s Σ x u + (z - bias s) Σ x.
            SmallVector<Value> dots = floatGroup(packed, tile, g, m0);
            Value zAdj = vector::FMAOp::create(
                b, loc, s, splatF32(b, loc, -float(bias)), z);
            for (unsigned m = 0; m < rows; ++m) {
              Value xs = memref::LoadOp::create(b, loc, act.groupSums,
                                                ValueRange{rowIdx[m], g});
              acc[m] = vector::FMAOp::create(b, loc, s, dots[m], acc[m]);
              acc[m] = vector::FMAOp::create(b, loc, zAdj,
                                             broadcast(b, loc, xs), acc[m]);
            }
          } else {
            // Σ x (s Q + z) ≈ s a Σ xq (u - bias) + z Σ x, the integer part
            // exact: Σ xq u - bias Σ xq.
            SmallVector<Value> dots = intGroup(packed, tile, g, m0);
            for (unsigned m = 0; m < rows; ++m) {
              Value qbias = memref::LoadOp::create(b, loc, act.quantBias,
                                                   ValueRange{rowIdx[m], g});
              Value d = arith::AddIOp::create(b, loc, dots[m],
                                              broadcast(b, loc, qbias));
              Value df = arith::SIToFPOp::create(b, loc, vf32, d);
              Value a = memref::LoadOp::create(b, loc, act.quantScales,
                                               ValueRange{rowIdx[m], g});
              Value sa = arith::MulFOp::create(b, loc, s, broadcast(b, loc, a));
              acc[m] = vector::FMAOp::create(b, loc, sa, df, acc[m]);
              Value xs = memref::LoadOp::create(b, loc, act.groupSums,
                                                ValueRange{rowIdx[m], g});
              acc[m] = vector::FMAOp::create(b, loc, z, broadcast(b, loc, xs),
                                             acc[m]);
            }
          }
          scf::YieldOp::create(b, loc, acc);
        });

    Value n0 = affine(b, loc, nullptr, tile, N16K4Geometry::TileRows);
    for (unsigned m = 0; m < rows; ++m) {
      Value v = groups.getResult(m);
      if (!spec.activationType.isF32())
        v = arith::TruncFOp::create(b, loc, vecType(spec.activationType), v);
      vector::StoreOp::create(b, loc, v, y, ValueRange{rowIdx[m], n0});
    }
  }
};

} // namespace

void kernel::buildTileBlock(OpBuilder &b, Location loc, const KernelSpec &spec,
                            const Activations &act, Value packed, Value scale,
                            Value offset, Value y, Value tile, Value m0,
                            unsigned rows) {
  TileBlockBuilder(b, loc, spec, act, rows)
      .build(packed, scale, offset, y, tile, m0);
}
