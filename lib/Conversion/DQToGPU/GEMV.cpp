//===- GEMV.cpp - the bandwidth-bound kernel (few activation rows) --------===//
//
// One warp computes `rowsPerWarp` output rows for `mBlock` activation rows.
// Its lanes stride over the rows' chunks (lane l reads chunks l, l + 32, ...
// of each row: a warp reads 32 consecutive 16-byte chunks of a row per
// step, 512 coalesced bytes), unpack each field with a shift, a mask and
// the 2^23 exponent trick, and accumulate per chunk
//
//   dot = sum_e x[e] * u[e],  sx = sum_e x[e],
//   acc += s * dot + (z - s * 2^(bits-1)) * sx
//
// in f32. A chunk lies inside one group, so its scale and offset are two
// scalar loads. At the end the 32 lanes' partial sums are added with five
// butterfly shuffles (gpu.shuffle xor) and lane 0 writes the results.
// Rows past N and activation rows past M are clamped for loading and
// skipped for storing.
//
//===----------------------------------------------------------------------===//

#include "CUDAKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq::cuda;

namespace {
/// Activation columns loaded per step: 8 (one 16-byte load at f16/bf16,
/// two at f32).
constexpr int64_t kStep = 8;
} // namespace

gpu::GPUFuncOp mlir::dq::buildGEMVKernel(OpBuilder &b, gpu::GPUModuleOp kernels,
                                         const CUDAMatmulSpec &spec) {
  MLIRContext *ctx = b.getContext();
  bool created = false;
  gpu::GPUFuncOp func =
      getOrCreateKernel(b, kernels, spec.kernelName(),
                        kernelArgumentTypes(ctx, spec), {}, created);
  if (!created)
    return func;

  GPUChunkedGeometry geo = spec.geometry();
  const unsigned rows = spec.rowsPerWarp, mb = spec.mBlock;
  const unsigned bits = geo.Bits;
  const int64_t chunkCols = geo.chunkCols();
  Location loc = func.getLoc();
  OpBuilder::InsertionGuard guard(b);
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  Value x = entry.getArgument(0), packed = entry.getArgument(1),
        scale = entry.getArgument(2), offset = entry.getArgument(3),
        y = entry.getArgument(4);
  Type act = spec.activationType;

  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value bx = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value by = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value c32 = idx(b, loc, 32);
  Value lane = arith::RemUIOp::create(b, loc, tid, c32);
  Value warp = arith::DivUIOp::create(b, loc, tid, c32);
  Value warpIndex = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, bx, idx(b, loc, spec.warps)), warp);
  Value row0 = arith::MulIOp::create(b, loc, warpIndex, idx(b, loc, rows));
  Value m0 = arith::MulIOp::create(b, loc, by, idx(b, loc, mb));
  Value m = memref::DimOp::create(b, loc, x, 0);
  Value lastRow = idx(b, loc, geo.Rows - 1);
  Value lastM = arith::SubIOp::create(b, loc, m, idx(b, loc, 1));

  // Clamped indices for loads.
  SmallVector<Value> rowIdx, mIdx;
  for (unsigned r = 0; r < rows; ++r)
    rowIdx.push_back(arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, row0, idx(b, loc, r)), lastRow));
  for (unsigned j = 0; j < mb; ++j)
    mIdx.push_back(arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, m0, idx(b, loc, j)), lastM));

  Value zero = f32(b, loc, 0.0);
  SmallVector<Value> init(rows * mb, zero);
  auto loop = scf::ForOp::create(b, loc, lane, idx(b, loc, geo.chunksPerRow()),
                                 c32, init);
  {
    OpBuilder::InsertionGuard bodyGuard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value chunk = loop.getInductionVar();
    Value group = arith::DivUIOp::create(b, loc, chunk,
                                         idx(b, loc, geo.chunksPerGroup()));
    Value col0 = arith::MulIOp::create(b, loc, chunk, idx(b, loc, chunkCols));

    SmallVector<SmallVector<Value>> words;
    SmallVector<Value> s, zb;
    for (unsigned r = 0; r < rows; ++r) {
      words.push_back(loadChunk(b, loc, spec, packed, rowIdx[r], chunk));
      auto [sr, zr] =
          loadScaleOffset(b, loc, spec, scale, offset, rowIdx[r], group);
      s.push_back(sr);
      zb.push_back(zr);
    }

    SmallVector<Value> dot(rows * mb, zero), sx(mb, zero);
    auto xType = VectorType::get({kStep}, act);
    int64_t xAlign =
        std::min<int64_t>(16, kStep * act.getIntOrFloatBitWidth() / 8);
    for (int64_t step = 0; step < chunkCols / kStep; ++step) {
      Value col =
          arith::AddIOp::create(b, loc, col0, idx(b, loc, step * kStep));
      // xs[j][e]: activation row j, column col + e, in f32.
      SmallVector<SmallVector<Value>> xs(mb);
      for (unsigned j = 0; j < mb; ++j) {
        Value v = vector::LoadOp::create(
            b, loc, xType, x, ValueRange{mIdx[j], col},
            /*nontemporal=*/false, llvm::MaybeAlign(xAlign));
        v = toF32(b, loc, v);
        for (int64_t e = 0; e < kStep; ++e) {
          Value xe = vector::ExtractOp::create(b, loc, v, e);
          xs[j].push_back(xe);
          sx[j] = arith::AddFOp::create(b, loc, sx[j], xe);
        }
      }
      for (unsigned r = 0; r < rows; ++r)
        for (int64_t e = 0; e < kStep; ++e) {
          Value u = decodeField(b, loc, words[r], bits, step * kStep + e);
          for (unsigned j = 0; j < mb; ++j)
            dot[r * mb + j] =
                math::FmaOp::create(b, loc, xs[j][e], u, dot[r * mb + j]);
        }
    }
    SmallVector<Value> next;
    for (unsigned r = 0; r < rows; ++r)
      for (unsigned j = 0; j < mb; ++j) {
        Value acc = loop.getRegionIterArgs()[r * mb + j];
        acc = math::FmaOp::create(b, loc, s[r], dot[r * mb + j], acc);
        acc = math::FmaOp::create(b, loc, zb[r], sx[j], acc);
        next.push_back(acc);
      }
    scf::YieldOp::create(b, loc, next);
  }

  // Butterfly reduction across the warp: every lane ends with the sums.
  SmallVector<Value> sums(loop.getResults());
  for (Value &v : sums)
    for (int32_t off = 16; off >= 1; off /= 2) {
      auto shuffle =
          gpu::ShuffleOp::create(b, loc, v, off, 32, gpu::ShuffleMode::XOR);
      v = arith::AddFOp::create(b, loc, v, shuffle.getShuffleResult());
    }

  Value isLane0 = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                        idx(b, loc, 0));
  auto store = scf::IfOp::create(b, loc, isLane0, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard storeGuard(b);
    b.setInsertionPointToStart(store.thenBlock());
    Value n = idx(b, loc, geo.Rows);
    for (unsigned r = 0; r < rows; ++r) {
      Value row = arith::AddIOp::create(b, loc, row0, idx(b, loc, r));
      Value rowOk =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row, n);
      for (unsigned j = 0; j < mb; ++j) {
        Value mj = arith::AddIOp::create(b, loc, m0, idx(b, loc, j));
        Value mOk =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, mj, m);
        Value ok = arith::AndIOp::create(b, loc, rowOk, mOk);
        auto guarded = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/false);
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(guarded.thenBlock());
        memref::StoreOp::create(b, loc, fromF32(b, loc, sums[r * mb + j], act),
                                y, ValueRange{mj, row});
      }
    }
  }
  gpu::ReturnOp::create(b, loc);
  return func;
}
