//===- Prologue.cpp - activation preparation of the CPU kernels -----------===//
//
// Once per call, O(M·K): the activations become a zero-padded f32 matrix in
// the group-padded column order of the n16k4 layout, with per-group sums for
// the offset term; the int8 route also quantizes every group to int8 with
// its own scale. The main loop then reads only these buffers.
//
//===----------------------------------------------------------------------===//

#include "Kernel.h"
#include "KernelUtil.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq::kernel;

namespace {

struct PrologueBuilder {
  OpBuilder &b;
  Location loc;
  const KernelSpec &spec;
  N16K4Geometry geo;
  Type f32;

  PrologueBuilder(OpBuilder &b, Location loc, const KernelSpec &spec)
      : b(b), loc(loc), spec(spec), geo(spec.geometry()), f32(b.getF32Type()) {}

  Value alloc(Value m, int64_t cols, Type element) {
    auto type = MemRefType::get({ShapedType::kDynamic, cols}, element);
    return memref::AllocOp::create(b, loc, type, ValueRange{m});
  }

  /// Copies one group of row `row` into `padded` and returns its sum and
  /// largest magnitude (both f32).
  std::pair<Value, Value> copyGroup(Value x, Value padded, Value row, Value src,
                                    Value dst) {
    Value zero = f32Const(b, loc, 0.0f);
    if (geo.Group % kLanes == 0) {
      VectorType inType = vecType(spec.activationType);
      Value vzero = splatF32(b, loc, 0.0f);
      auto loop = scf::ForOp::create(
          b, loc, indexConst(b, loc, 0), indexConst(b, loc, geo.Group),
          indexConst(b, loc, kLanes), ValueRange{vzero, vzero},
          [&](OpBuilder &nb, Location nl, Value e, ValueRange iter) {
            Value col = arith::AddIOp::create(nb, nl, src, e);
            Value v =
                vector::LoadOp::create(nb, nl, inType, x, ValueRange{row, col});
            v = extendToF32(nb, nl, v);
            Value to = arith::AddIOp::create(nb, nl, dst, e);
            vector::StoreOp::create(nb, nl, v, padded, ValueRange{row, to});
            Value sum = arith::AddFOp::create(nb, nl, iter[0], v);
            Value mag = math::AbsFOp::create(nb, nl, v);
            Value max = arith::MaximumFOp::create(nb, nl, iter[1], mag);
            scf::YieldOp::create(nb, nl, ValueRange{sum, max});
          });
      for (int64_t e = geo.Group; e < geo.paddedGroup(); e += kLanes)
        vector::StoreOp::create(
            b, loc, vzero, padded,
            ValueRange{row, affine(b, loc, dst, indexConst(b, loc, 1), e)});
      Value sum = vector::ReductionOp::create(
          b, loc, vector::CombiningKind::ADD, loop.getResult(0));
      Value max = vector::ReductionOp::create(
          b, loc, vector::CombiningKind::MAXIMUMF, loop.getResult(1));
      return {sum, max};
    }
    auto loop = scf::ForOp::create(
        b, loc, indexConst(b, loc, 0), indexConst(b, loc, geo.Group),
        indexConst(b, loc, 1), ValueRange{zero, zero},
        [&](OpBuilder &nb, Location nl, Value e, ValueRange iter) {
          Value col = arith::AddIOp::create(nb, nl, src, e);
          Value v = memref::LoadOp::create(nb, nl, x, ValueRange{row, col});
          v = extendToF32(nb, nl, v);
          Value to = arith::AddIOp::create(nb, nl, dst, e);
          memref::StoreOp::create(nb, nl, v, padded, ValueRange{row, to});
          Value sum = arith::AddFOp::create(nb, nl, iter[0], v);
          Value mag = math::AbsFOp::create(nb, nl, v);
          Value max = arith::MaximumFOp::create(nb, nl, iter[1], mag);
          scf::YieldOp::create(nb, nl, ValueRange{sum, max});
        });
    scf::ForOp::create(
        b, loc, indexConst(b, loc, geo.Group),
        indexConst(b, loc, geo.paddedGroup()), indexConst(b, loc, 1),
        ValueRange{}, [&](OpBuilder &nb, Location nl, Value e, ValueRange) {
          Value to = arith::AddIOp::create(nb, nl, dst, e);
          memref::StoreOp::create(nb, nl, zero, padded, ValueRange{row, to});
          scf::YieldOp::create(nb, nl);
        });
    return {loop.getResult(0), loop.getResult(1)};
  }

  /// q = clamp(roundeven(v * inv), -127, 127) as i32, for scalars or
  /// vectors of f32.
  Value quantize(OpBuilder &nb, Location nl, Value v, Value inv) {
    Type type = v.getType();
    auto constant = [&](float c) -> Value {
      if (auto vec = llvm::dyn_cast<VectorType>(type))
        return splatF32(nb, nl, c, vec.getNumElements());
      return f32Const(nb, nl, c);
    };
    if (auto vec = llvm::dyn_cast<VectorType>(type))
      inv = broadcast(nb, nl, inv, vec.getNumElements());
    Value q = arith::MulFOp::create(nb, nl, v, inv);
    q = math::RoundEvenOp::create(nb, nl, q);
    q = arith::MaximumFOp::create(nb, nl, q, constant(-127.0f));
    q = arith::MinimumFOp::create(nb, nl, q, constant(127.0f));
    Type i32 = nb.getI32Type();
    if (auto vec = llvm::dyn_cast<VectorType>(type))
      i32 = VectorType::get(vec.getShape(), i32);
    return arith::FPToSIOp::create(nb, nl, i32, q);
  }

  /// Quantizes one padded group of row `row` to int8; returns the sum of
  /// the int8 values (i32).
  Value quantizeGroup(Value padded, Value quantized, Value row, Value dst,
                      Value inv) {
    Type i8 = b.getI8Type();
    if (geo.paddedGroup() % kLanes == 0) {
      auto loop = scf::ForOp::create(
          b, loc, indexConst(b, loc, 0), indexConst(b, loc, geo.paddedGroup()),
          indexConst(b, loc, kLanes), ValueRange{splatI32(b, loc, 0)},
          [&](OpBuilder &nb, Location nl, Value e, ValueRange iter) {
            Value col = arith::AddIOp::create(nb, nl, dst, e);
            Value v = vector::LoadOp::create(nb, nl, vecType(f32), padded,
                                             ValueRange{row, col});
            Value q = quantize(nb, nl, v, inv);
            Value q8 = arith::TruncIOp::create(nb, nl, vecType(i8), q);
            vector::StoreOp::create(nb, nl, q8, quantized,
                                    ValueRange{row, col});
            scf::YieldOp::create(
                nb, nl, ValueRange{arith::AddIOp::create(nb, nl, iter[0], q)});
          });
      return vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                         loop.getResult(0));
    }
    auto loop = scf::ForOp::create(
        b, loc, indexConst(b, loc, 0), indexConst(b, loc, geo.paddedGroup()),
        indexConst(b, loc, 1), ValueRange{i32Const(b, loc, 0)},
        [&](OpBuilder &nb, Location nl, Value e, ValueRange iter) {
          Value col = arith::AddIOp::create(nb, nl, dst, e);
          Value v =
              memref::LoadOp::create(nb, nl, padded, ValueRange{row, col});
          Value q = quantize(nb, nl, v, inv);
          Value q8 = arith::TruncIOp::create(nb, nl, i8, q);
          memref::StoreOp::create(nb, nl, q8, quantized, ValueRange{row, col});
          scf::YieldOp::create(
              nb, nl, ValueRange{arith::AddIOp::create(nb, nl, iter[0], q)});
        });
    return loop.getResult(0);
  }

  Activations build(Value x, Value m) {
    int64_t groups = geo.numGroups();
    int64_t paddedCols = groups * geo.paddedGroup();
    Activations act;
    act.padded = alloc(m, paddedCols, f32);
    act.groupSums = alloc(m, groups, f32);
    if (spec.int8) {
      act.quantized = alloc(m, paddedCols, b.getI8Type());
      act.quantScales = alloc(m, groups, f32);
      act.quantBias = alloc(m, groups, b.getI32Type());
    }
    scf::ForOp::create(
        b, loc, indexConst(b, loc, 0), m, indexConst(b, loc, 1), ValueRange{},
        [&](OpBuilder &rb, Location, Value row, ValueRange) {
          scf::ForOp::create(rb, loc, indexConst(rb, loc, 0),
                             indexConst(rb, loc, groups),
                             indexConst(rb, loc, 1), ValueRange{},
                             [&](OpBuilder &gb, Location, Value g, ValueRange) {
                               OpBuilder::InsertionGuard guard(b);
                               b.setInsertionPointToEnd(gb.getInsertionBlock());
                               buildGroup(act, x, row, g);
                               scf::YieldOp::create(b, loc);
                             });
          scf::YieldOp::create(rb, loc);
        });
    return act;
  }

  void buildGroup(const Activations &act, Value x, Value row, Value g) {
    Value src = affine(b, loc, nullptr, g, geo.Group);
    Value dst = affine(b, loc, nullptr, g, geo.paddedGroup());
    auto [sum, max] = copyGroup(x, act.padded, row, src, dst);
    memref::StoreOp::create(b, loc, sum, act.groupSums, ValueRange{row, g});
    if (!spec.int8)
      return;
    // a = max|x| / 127; an all-zero group gets a = 0 and zero integers. A
    // NaN reaches the output through the group sum.
    Value scale = arith::DivFOp::create(b, loc, max, f32Const(b, loc, 127.0f));
    Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                           max, f32Const(b, loc, 0.0f));
    Value inv = arith::SelectOp::create(
        b, loc, positive,
        arith::DivFOp::create(b, loc, f32Const(b, loc, 127.0f), max),
        f32Const(b, loc, 0.0f));
    memref::StoreOp::create(b, loc, scale, act.quantScales, ValueRange{row, g});
    Value qsum = quantizeGroup(act.padded, act.quantized, row, dst, inv);
    Value bias =
        arith::MulIOp::create(b, loc, qsum, i32Const(b, loc, -geo.bias()));
    memref::StoreOp::create(b, loc, bias, act.quantBias, ValueRange{row, g});
  }
};

} // namespace

Activations kernel::buildPrologue(OpBuilder &b, Location loc,
                                  const KernelSpec &spec, Value x, Value m) {
  return PrologueBuilder(b, loc, spec).build(x, m);
}
