//===- WeightLowering.h - upstream IR for dq weights ------------*- C++ -*-===//
//
// Builders shared by the portable lowering: they turn a weight's parts into
// upstream linalg/tensor/arith IR.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_LIB_CONVERSION_DQTOLINALG_WEIGHTLOWERING_H
#define DQ_LIB_CONVERSION_DQTOLINALG_WEIGHTLOWERING_H

#include "DQ/IR/DQOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::dq {

/// A weight as three upstream tensors: the logical integer part
/// (tensor<N x K x iB>), the scale and the offset (tensor<N x G x F>).
struct WeightParts {
  Value q;
  Value scale;
  Value offset;
};

/// Unpacks row_major packed storage (tensor<N x ceil(K*B/8) x i8>) into the
/// logical tensor<N x K x iB>, or with `logical` false into the same values
/// sign-extended to i8 (for stacks without tensors of odd integer widths).
Value buildUnpack(OpBuilder &b, Location loc, Value packed, WeightType type,
                  bool logical = true);

/// Casts the integer tensor `x` elementwise to `elementType` in a
/// linalg.generic: sign extension when widening, truncation when narrowing.
Value buildIntCast(OpBuilder &b, Location loc, Value x, Type elementType);

/// W = s * Q + z in f32, rounded once to `elementType`.
Value buildDequantize(OpBuilder &b, Location loc, const WeightParts &parts,
                      WeightType type, Type elementType);

/// y[..., n] = sum_k x[..., k] * W[n, k] with f32 accumulation; the result
/// has `resultType`.
Value buildMatmul(OpBuilder &b, Location loc, Value input,
                  const WeightParts &parts, WeightType type,
                  RankedTensorType resultType);

/// The same product with the weight already dequantized: `weight` is the
/// f32 tensor<N x K> W, read transposed.
Value buildFloatMatmul(OpBuilder &b, Location loc, Value input, Value weight,
                       RankedTensorType resultType);

/// Reshapes `x` (rank r >= 1) to rank 2 [M, K], collapsing leading dims.
Value collapseToMatrix(OpBuilder &b, Location loc, Value x);

/// Reshapes an [M, N] product `y` back to the leading dims of the
/// activation `x`, giving `resultType`.
Value expandFromMatrix(OpBuilder &b, Location loc, Value y, Value x,
                       RankedTensorType resultType);

} // namespace mlir::dq

#endif // DQ_LIB_CONVERSION_DQTOLINALG_WEIGHTLOWERING_H
