//===- GEMM.cpp - the tensor-core kernel (many activation rows) -----------===//
//
// A block of 128 threads (2 x 2 warps) computes a tileM x tileN tile of y,
// walking K in steps of TileK = 64 padded columns:
//
//   1. the activation tile [tileM, 64] is copied to workgroup memory with
//      16-byte loads (zeros past M and past the padded K);
//   2. the weight tile [tileN, 64] is built in workgroup memory: each thread
//      takes a 16-byte chunk of a row (chunks never straddle groups), loads
//      its scale and offset once, dequantizes every field in f32
//      (s * u + (z - s * 2^(bits-1)), one FMA after the shift/mask/2^23
//      trick) and stores it rounded to the activation type;
//   3. after a barrier each warp loads its m16n8k16 fragments from
//      workgroup memory and issues nvvm.mma.sync (f16 or bf16 inputs, f32
//      accumulators) over the four k16 slices;
//   4. a barrier before the next step.
//
// The accumulators are written once at the end, rounded to the activation
// type, skipping rows past M and columns past N. Rows of the workgroup
// tiles are padded by 8 elements so that fragment loads of the eight row
// groups fall into different banks.
//
//===----------------------------------------------------------------------===//

#include "CUDAKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq::cuda;

namespace {
constexpr int64_t kThreads = 128;
constexpr int64_t kVec = 8;
constexpr int64_t kRowPad = 8;
} // namespace

gpu::GPUFuncOp mlir::dq::buildGEMMKernel(OpBuilder &b, gpu::GPUModuleOp kernels,
                                         const CUDAMatmulSpec &spec) {
  MLIRContext *ctx = b.getContext();
  const int64_t tileM = spec.tileM, tileN = spec.tileN;
  const int64_t tileK = CUDAMatmulSpec::TileK;
  Type act = spec.activationType;
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto aType = MemRefType::get({tileM, tileK + kRowPad}, act,
                               MemRefLayoutAttrInterface(), workgroup);
  auto bType = MemRefType::get({tileN, tileK + kRowPad}, act,
                               MemRefLayoutAttrInterface(), workgroup);
  bool created = false;
  gpu::GPUFuncOp func = getOrCreateKernel(b, kernels, spec.kernelName(),
                                          kernelArgumentTypes(ctx, spec),
                                          {aType, bType}, created);
  if (!created)
    return func;

  GPUChunkedGeometry geo = spec.geometry();
  const int64_t chunkCols = geo.chunkCols();
  const int64_t chunksPerTile = tileK / chunkCols;
  const int64_t warpM = tileM / 2, warpN = tileN / 2;
  const int64_t mTiles = warpM / 16, nTiles = warpN / 8;
  Location loc = func.getLoc();
  OpBuilder::InsertionGuard guard(b);
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  Value x = entry.getArgument(0), packed = entry.getArgument(1),
        scale = entry.getArgument(2), offset = entry.getArgument(3),
        y = entry.getArgument(4);
  Value aTile = func.getWorkgroupAttributions()[0];
  Value bTile = func.getWorkgroupAttributions()[1];

  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value bx = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value by = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value lane = arith::RemUIOp::create(b, loc, tid, idx(b, loc, 32));
  Value warp = arith::DivUIOp::create(b, loc, tid, idx(b, loc, 32));
  Value wm = arith::DivUIOp::create(b, loc, warp, idx(b, loc, 2));
  Value wn = arith::RemUIOp::create(b, loc, warp, idx(b, loc, 2));
  Value gid = arith::DivUIOp::create(b, loc, lane, idx(b, loc, 4));
  Value tig = arith::RemUIOp::create(b, loc, lane, idx(b, loc, 4));
  Value m0 = arith::MulIOp::create(b, loc, by, idx(b, loc, tileM));
  Value n0 = arith::MulIOp::create(b, loc, bx, idx(b, loc, tileN));
  Value m = memref::DimOp::create(b, loc, x, 0);
  Value kp = idx(b, loc, geo.paddedCols());
  Value lastM = arith::SubIOp::create(b, loc, m, idx(b, loc, 1));
  auto ult = [&](Value lhs, Value rhs) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, lhs, rhs);
  };
  auto add = [&](Value lhs, int64_t rhs) -> Value {
    if (rhs == 0)
      return lhs;
    return arith::AddIOp::create(b, loc, lhs, idx(b, loc, rhs));
  };
  auto mul = [&](Value lhs, int64_t rhs) -> Value {
    return arith::MulIOp::create(b, loc, lhs, idx(b, loc, rhs));
  };

  auto vecType = VectorType::get({kVec}, act);
  int64_t vecAlign = kVec * act.getIntOrFloatBitWidth() / 8;
  Value zeroVec = arith::ConstantOp::create(b, loc, b.getZeroAttr(vecType));
  int64_t kTiles = (geo.paddedCols() + tileK - 1) / tileK;
  Value zero = f32(b, loc, 0.0);
  SmallVector<Value> init(mTiles * nTiles * 4, zero);
  auto loop = scf::ForOp::create(b, loc, idx(b, loc, 0), idx(b, loc, kTiles),
                                 idx(b, loc, 1), init);
  {
    OpBuilder::InsertionGuard bodyGuard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kt = loop.getInductionVar();
    Value k0 = mul(kt, tileK);

    // 1. Activations: tileM * tileK / 8 vectors, spread over the threads.
    for (int64_t it = 0; it < tileM * tileK / kVec / kThreads; ++it) {
      Value v = add(tid, it * kThreads);
      Value row = arith::DivUIOp::create(b, loc, v, idx(b, loc, tileK / kVec));
      Value cv = arith::RemUIOp::create(b, loc, v, idx(b, loc, tileK / kVec));
      Value gm = arith::AddIOp::create(b, loc, m0, row);
      Value gk = arith::AddIOp::create(b, loc, k0, mul(cv, kVec));
      Value ok = arith::AndIOp::create(b, loc, ult(gm, m), ult(gk, kp));
      Value gmc = arith::MinUIOp::create(b, loc, gm, lastM);
      Value gkc = arith::MinUIOp::create(b, loc, gk,
                                         idx(b, loc, geo.paddedCols() - kVec));
      Value data =
          vector::LoadOp::create(b, loc, vecType, x, ValueRange{gmc, gkc},
                                 false, llvm::MaybeAlign(vecAlign));
      data = arith::SelectOp::create(b, loc, ok, data, zeroVec);
      vector::StoreOp::create(b, loc, data, aTile,
                              ValueRange{row, mul(cv, kVec)}, false,
                              llvm::MaybeAlign(vecAlign));
    }

    // 2. Weights: tileN rows of chunksPerTile chunks, dequantized.
    int64_t items = tileN * chunksPerTile;
    for (int64_t it = 0; it * kThreads < items; ++it) {
      OpBuilder::InsertionGuard itemGuard(b);
      Value item = add(tid, it * kThreads);
      if ((it + 1) * kThreads > items) {
        auto ifOp = scf::IfOp::create(b, loc, ult(item, idx(b, loc, items)),
                                      /*withElseRegion=*/false);
        b.setInsertionPointToStart(ifOp.thenBlock());
      }
      Value nl =
          arith::DivUIOp::create(b, loc, item, idx(b, loc, chunksPerTile));
      Value cl =
          arith::RemUIOp::create(b, loc, item, idx(b, loc, chunksPerTile));
      Value n = arith::AddIOp::create(b, loc, n0, nl);
      Value c = arith::AddIOp::create(b, loc, mul(kt, chunksPerTile), cl);
      Value ok = arith::AndIOp::create(b, loc, ult(n, idx(b, loc, geo.Rows)),
                                       ult(c, idx(b, loc, geo.chunksPerRow())));
      Value nc = arith::MinUIOp::create(b, loc, n, idx(b, loc, geo.Rows - 1));
      Value cc = arith::MinUIOp::create(b, loc, c,
                                        idx(b, loc, geo.chunksPerRow() - 1));
      SmallVector<Value> words = loadChunk(b, loc, spec, packed, nc, cc);
      Value group =
          arith::DivUIOp::create(b, loc, cc, idx(b, loc, geo.chunksPerGroup()));
      auto [s, zb] = loadScaleOffset(b, loc, spec, scale, offset, nc, group);
      for (int64_t e0 = 0; e0 < chunkCols; e0 += kVec) {
        SmallVector<Value> vals;
        for (int64_t e = e0; e < e0 + kVec; ++e) {
          Value u = decodeField(b, loc, words, geo.Bits, e);
          Value w = math::FmaOp::create(b, loc, s, u, zb);
          vals.push_back(fromF32(b, loc, w, act));
        }
        Value vec = vector::FromElementsOp::create(b, loc, vecType, vals);
        vec = arith::SelectOp::create(b, loc, ok, vec, zeroVec);
        vector::StoreOp::create(b, loc, vec, bTile,
                                ValueRange{nl, add(mul(cl, chunkCols), e0)},
                                false, llvm::MaybeAlign(vecAlign));
      }
    }
    gpu::BarrierOp::create(b, loc);

    // 3. Tensor cores.
    auto pairType = VectorType::get({2}, act);
    int64_t pairAlign = 2 * act.getIntOrFloatBitWidth() / 8;
    bool bf16 = act.isBF16();
    auto fragment = [&](Value tile, Value row, Value col) -> Value {
      Value v =
          vector::LoadOp::create(b, loc, pairType, tile, ValueRange{row, col},
                                 false, llvm::MaybeAlign(pairAlign));
      if (!bf16)
        return v;
      // bf16 fragments are passed to mma.sync as packed 32-bit registers.
      Value word = vector::BitCastOp::create(
          b, loc, VectorType::get({1}, b.getI32Type()), v);
      return vector::ExtractOp::create(b, loc, word, 0);
    };
    auto resultType = LLVM::LLVMStructType::getLiteral(
        ctx, SmallVector<Type>(4, b.getF32Type()));
    NVVM::MMATypes ptxType = bf16 ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
    SmallVector<Value> acc(loop.getRegionIterArgs());
    Value aRow0 = arith::AddIOp::create(b, loc, mul(wm, warpM), gid);
    Value bRow0 = arith::AddIOp::create(b, loc, mul(wn, warpN), gid);
    for (int64_t ks = 0; ks < tileK / 16; ++ks) {
      Value kk = add(mul(tig, 2), ks * 16);
      Value kk8 = add(kk, 8);
      SmallVector<SmallVector<Value>> aFrags, bFrags;
      for (int64_t mt = 0; mt < mTiles; ++mt) {
        Value r = add(aRow0, mt * 16);
        Value r8 = add(r, 8);
        aFrags.push_back({fragment(aTile, r, kk), fragment(aTile, r8, kk),
                          fragment(aTile, r, kk8), fragment(aTile, r8, kk8)});
      }
      for (int64_t nt = 0; nt < nTiles; ++nt) {
        Value n = add(bRow0, nt * 8);
        bFrags.push_back({fragment(bTile, n, kk), fragment(bTile, n, kk8)});
      }
      for (int64_t mt = 0; mt < mTiles; ++mt)
        for (int64_t nt = 0; nt < nTiles; ++nt) {
          int64_t base = (mt * nTiles + nt) * 4;
          SmallVector<Value> c(acc.begin() + base, acc.begin() + base + 4);
          auto mma = NVVM::MmaOp::create(
              b, loc, resultType, aFrags[mt], bFrags[nt], c, {16, 8, 16},
              std::nullopt, std::nullopt,
              std::array<NVVM::MMATypes, 2>{ptxType, ptxType},
              std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                             NVVM::MMALayout::col});
          for (int64_t i = 0; i < 4; ++i)
            acc[base + i] = LLVM::ExtractValueOp::create(b, loc, mma, i);
        }
    }
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, acc);
  }

  // 4. Results: c0, c1 at (gid, 2 tig + {0, 1}), c2, c3 eight rows down.
  SmallVector<Value> results(loop.getResults());
  Value n = idx(b, loc, geo.Rows);
  Value rowBase = arith::AddIOp::create(
      b, loc, m0, arith::AddIOp::create(b, loc, mul(wm, warpM), gid));
  Value colBase = arith::AddIOp::create(
      b, loc, n0, arith::AddIOp::create(b, loc, mul(wn, warpN), mul(tig, 2)));
  for (int64_t mt = 0; mt < mTiles; ++mt)
    for (int64_t nt = 0; nt < nTiles; ++nt)
      for (int64_t i = 0; i < 4; ++i) {
        Value row = add(rowBase, mt * 16 + (i / 2) * 8);
        Value col = add(colBase, nt * 8 + i % 2);
        Value ok = arith::AndIOp::create(b, loc, ult(row, m), ult(col, n));
        auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/false);
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        memref::StoreOp::create(
            b, loc, fromF32(b, loc, results[(mt * nTiles + nt) * 4 + i], act),
            y, ValueRange{row, col});
      }
  gpu::ReturnOp::create(b, loc);
  return func;
}
