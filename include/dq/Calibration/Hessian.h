//===- Hessian.h - Streaming H = XᵀX / T in float64 -------------*- C++ -*-===//
//
// Accumulates a layer's Hessian from batches of its input activations
// (rows of X, each of length K) without keeping them. A batch holding a NaN
// or an Inf is rejected as a whole with an error naming the batch, the row
// and the column; the accumulator is left as it was.
//
// Plain loops, no BLAS: the runtime (libdqrt) accumulates with it and must
// not carry the quantization engine's linear algebra. Every entry is summed
// in row order, so results are bit-identical run to run.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CALIBRATION_HESSIAN_H
#define DQ_CALIBRATION_HESSIAN_H

#include "dq/Quant/Matrix.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace dq {

class HessianAccumulator {
public:
  /// K: the layer's input width (columns of every batch).
  explicit HessianAccumulator(int64_t K);

  /// Adds Rows samples stored row-major in X (Rows * K values).
  llvm::Error addBatch(llvm::ArrayRef<float> X, int64_t Rows);
  llvm::Error addBatch(llvm::ArrayRef<double> X, int64_t Rows);

  int64_t getNumSamples() const { return Samples; }
  int64_t getNumBatches() const { return Batches; }

  /// H = XᵀX / T over every accepted sample (symmetric, float64). Fails when
  /// no sample was added.
  llvm::Expected<Matrix> getHessian() const;

private:
  int64_t K;
  int64_t Samples = 0;
  /// Batches offered so far, accepted or not (names them in errors).
  int64_t Batches = 0;
  /// Upper triangle (I <= J) of Σ x xᵀ at Sum[J * K + I]: column J's entries
  /// are contiguous, so the update vectorizes over I.
  std::vector<double> Sum;
};

} // namespace dq

#endif // DQ_CALIBRATION_HESSIAN_H
