//===- KernelUtil.h - small IR builders for the CPU kernels -----*- C++ -*-===//

#ifndef DQ_LIB_CONVERSION_DQTOCPU_KERNELUTIL_H
#define DQ_LIB_CONVERSION_DQTOCPU_KERNELUTIL_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::dq::kernel {

/// Lanes of the kernels' vectors: one 512-bit register of f32/i32.
constexpr int64_t kLanes = 16;

inline Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

inline Value i32Const(OpBuilder &b, Location loc, int32_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}

inline Value f32Const(OpBuilder &b, Location loc, float v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

inline VectorType vecType(Type element, int64_t lanes = kLanes) {
  return VectorType::get({lanes}, element);
}

/// A constant vector of `lanes` copies of an i32.
inline Value splatI32(OpBuilder &b, Location loc, int32_t v,
                      int64_t lanes = kLanes) {
  VectorType type = vecType(b.getI32Type(), lanes);
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getI32IntegerAttr(v)));
}

/// A constant vector of `lanes` copies of an f32.
inline Value splatF32(OpBuilder &b, Location loc, float v,
                      int64_t lanes = kLanes) {
  VectorType type = vecType(b.getF32Type(), lanes);
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(v)));
}

/// Broadcasts a scalar to a vector of `lanes`.
inline Value broadcast(OpBuilder &b, Location loc, Value scalar,
                       int64_t lanes = kLanes) {
  return vector::BroadcastOp::create(b, loc, vecType(scalar.getType(), lanes),
                                     scalar);
}

/// a + b * c for index values with constant b.
inline Value affine(OpBuilder &b, Location loc, Value a, Value x,
                    int64_t scale) {
  Value prod = arith::MulIOp::create(b, loc, x, indexConst(b, loc, scale));
  return a ? arith::AddIOp::create(b, loc, a, prod).getResult() : prod;
}

/// Converts a float (scalar or vector) to f32 when it is narrower.
inline Value extendToF32(OpBuilder &b, Location loc, Value v) {
  Type element = getElementTypeOrSelf(v.getType());
  if (element.isF32())
    return v;
  Type f32 = b.getF32Type();
  Type target = f32;
  if (auto vec = llvm::dyn_cast<VectorType>(v.getType()))
    target = VectorType::get(vec.getShape(), f32);
  return arith::ExtFOp::create(b, loc, target, v);
}

} // namespace mlir::dq::kernel

#endif // DQ_LIB_CONVERSION_DQTOCPU_KERNELUTIL_H
