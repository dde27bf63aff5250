//===- Pad.cpp - activations in the layout's padded column order ----------===//
//
// When a group is not a whole number of chunks, the weight's columns are
// padded per group (docs/decoupled-format.md, gpu_chunked). The matmul
// kernels read the activations in that padded order, [M, K/group *
// padded-group], with zeros in the padding columns; one thread per element
// writes them.
//
//===----------------------------------------------------------------------===//

#include "CUDAKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq::cuda;

gpu::GPUFuncOp mlir::dq::buildPadKernel(OpBuilder &b, gpu::GPUModuleOp kernels,
                                        const CUDAMatmulSpec &spec) {
  GPUChunkedGeometry geo = spec.geometry();
  int64_t dyn = ShapedType::kDynamic;
  Type act = spec.activationType;
  SmallVector<Type> args = {MemRefType::get({dyn, geo.Cols}, act),
                            MemRefType::get({dyn, geo.paddedCols()}, act)};
  bool created = false;
  gpu::GPUFuncOp func =
      getOrCreateKernel(b, kernels, spec.padKernelName(), args, {}, created);
  if (!created)
    return func;
  Location loc = func.getLoc();
  OpBuilder::InsertionGuard guard(b);
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  Value x = entry.getArgument(0), xp = entry.getArgument(1);
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value bid = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value bdim = gpu::BlockDimOp::create(b, loc, gpu::Dimension::x);
  Value i = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, bid, bdim), tid);
  Value m = memref::DimOp::create(b, loc, xp, 0);
  Value kp = idx(b, loc, geo.paddedCols());
  Value total = arith::MulIOp::create(b, loc, m, kp);
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, i, total);
  auto ifOp = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard thenGuard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value row = arith::DivUIOp::create(b, loc, i, kp);
    Value p = arith::RemUIOp::create(b, loc, i, kp);
    Value pg = idx(b, loc, geo.paddedGroup());
    Value group = arith::DivUIOp::create(b, loc, p, pg);
    Value e = arith::RemUIOp::create(b, loc, p, pg);
    Value g = idx(b, loc, geo.Group);
    Value real = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, e, g);
    // Padding columns read the group's last column and store zero.
    Value eClamped =
        arith::MinUIOp::create(b, loc, e, idx(b, loc, geo.Group - 1));
    Value col = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, group, g), eClamped);
    Value v = memref::LoadOp::create(b, loc, x, ValueRange{row, col});
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(act));
    Value out = arith::SelectOp::create(b, loc, real, v, zero);
    memref::StoreOp::create(b, loc, out, xp, ValueRange{row, p});
  }
  gpu::ReturnOp::create(b, loc);
  return func;
}
