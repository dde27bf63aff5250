//===- WeightMatmuls.h - Finding weight-bearing matmuls ---------*- C++ -*-===//
//
// The matmuls that calibration observes and quantization rewrites: linalg
// contractions one of whose inputs is a compile-time constant weight, in the
// forms frontends emit (docs/quantize.md lists them):
//
//   - linalg.matmul with the weight as B ([K, N]), possibly produced by a
//     linalg.transpose of an [N, K] constant (torch-mlir's aten.linear), or
//     read transposed through indexing_maps;
//   - linalg.generic contractions (mul + add body);
//   - linalg.batch_matmul whose weight is a linalg.broadcast of a constant.
//
// Constants are arith.constant (dense or dense_resource),
// ml_program.global_load_const of a constant global, or
// bufferization.to_tensor of memref.get_global of a constant memref.global.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_TRANSFORMS_WEIGHTMATMULS_H
#define DQ_TRANSFORMS_WEIGHTMATMULS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir::dq {

/// One matmul whose weight is a constant. In dq terms it computes
/// y[..., n] = sum_k x[..., k] * W[n, k] (+ the init it accumulates into).
struct WeightMatmul {
  linalg::LinalgOp op;
  /// The activation operand x: [..., K].
  OpOperand *activation = nullptr;
  /// The operand through which the weight reaches the matmul.
  OpOperand *weight = nullptr;
  /// The op that defines the constant (arith.constant,
  /// ml_program.global_load_const or bufferization.to_tensor).
  Operation *source = nullptr;
  /// The constant's value (a 2-D float ElementsAttr).
  ElementsAttr value;
  /// True when the constant is [N, K] (the torch layout), false for [K, N].
  bool sourceIsNK = true;
  int64_t n = 0, k = 0;
  /// Unique, stable layer name (see getLayerName).
  std::string name;
};

/// A matmul with a constant operand that cannot be handled, and why.
struct SkippedMatmul {
  Operation *op;
  std::string reason;
};

/// Finds the weight-bearing matmuls of `module` in program order and names
/// them. Contractions with no constant operand (e.g. attention's QKᵀ) are
/// not weight-bearing and appear in neither list.
void findWeightMatmuls(ModuleOp module, std::vector<WeightMatmul> &found,
                       std::vector<SkippedMatmul> &skipped);

/// The name attribute users may set on a matmul to name its layer.
constexpr llvm::StringLiteral kLayerNameAttr = "dq.layer";

/// Copies a 2-D float constant into row-major [N, K] floats (the torch
/// layout), transposing a [K, N] source. Fails for unreadable data (e.g. an
/// elided dense_resource blob).
LogicalResult readWeight(const WeightMatmul &matmul, std::vector<float> &out,
                         std::string &error);

} // namespace mlir::dq

#endif // DQ_TRANSFORMS_WEIGHTMATMULS_H
