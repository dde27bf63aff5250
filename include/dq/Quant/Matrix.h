//===- Matrix.h - A dense row-major float64 matrix --------------*- C++ -*-===//
//
// The quantizer's plain value type for weights and Hessians. Conversions
// from the tensors of .npy/safetensors files live in the tools.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_QUANT_MATRIX_H
#define DQ_QUANT_MATRIX_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dq {

/// Row-major Rows x Cols matrix of doubles.
struct Matrix {
  int64_t Rows = 0, Cols = 0;
  std::vector<double> Data;

  Matrix() = default;
  Matrix(int64_t Rows, int64_t Cols)
      : Rows(Rows), Cols(Cols), Data(size_t(Rows * Cols), 0.0) {}

  double &operator()(int64_t I, int64_t J) {
    return Data[size_t(I * Cols + J)];
  }
  double operator()(int64_t I, int64_t J) const {
    return Data[size_t(I * Cols + J)];
  }
  double *row(int64_t I) { return Data.data() + I * Cols; }
  const double *row(int64_t I) const { return Data.data() + I * Cols; }
};

} // namespace dq

#endif // DQ_QUANT_MATRIX_H
