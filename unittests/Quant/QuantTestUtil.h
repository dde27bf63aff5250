//===- QuantTestUtil.h - Random problems and float64 references -*- C++ -*-===//
//
// Independent helpers for the quantizer's tests: random weights with heavy
// tails, Hessians from correlated activations, storage rounding through
// llvm::APFloat (not the library's formula), and the exact H-weighted error
// of any dequantized matrix.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_UNITTESTS_QUANT_QUANTTESTUTIL_H
#define DQ_UNITTESTS_QUANT_QUANTTESTUTIL_H

#include "dq/Quant/Matrix.h"
#include "dq/Quant/Quantize.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>
#include <random>

namespace dq {
namespace test {

/// Student-t-like weights (normal / sqrt(chi2/3)): the heavy tails of real
/// layers, which is where clipping and decoupling matter.
inline Matrix randomWeights(int64_t N, int64_t K, uint64_t Seed) {
  std::mt19937_64 Rng(Seed);
  std::normal_distribution<double> Norm(0.0, 1.0);
  std::chi_squared_distribution<double> Chi(3.0);
  Matrix W(N, K);
  for (double &V : W.Data)
    V = 0.05 * Norm(Rng) / std::sqrt(Chi(Rng) / 3.0);
  return W;
}

/// H = XᵀX / T for T samples of K correlated features (x = z·Mix, plus
/// per-feature scales spanning two decades, like real activations).
inline Matrix randomHessian(int64_t K, int64_t T, uint64_t Seed) {
  std::mt19937_64 Rng(Seed);
  std::normal_distribution<double> Norm(0.0, 1.0);
  Matrix Mix(K, K);
  for (int64_t I = 0; I < K; ++I)
    for (int64_t J = 0; J < K; ++J)
      Mix(I, J) = (I == J ? 1.0 : 0.0) + 0.3 * Norm(Rng) / std::sqrt(double(K));
  std::vector<double> Scale(static_cast<size_t>(K));
  for (int64_t J = 0; J < K; ++J)
    Scale[J] = std::pow(10.0, 2.0 * double(J % 7) / 6.0 - 1.0);
  Matrix H(K, K);
  std::vector<double> Z(static_cast<size_t>(K)), X(static_cast<size_t>(K));
  for (int64_t S = 0; S < T; ++S) {
    for (double &V : Z)
      V = Norm(Rng);
    for (int64_t J = 0; J < K; ++J) {
      double Sum = 0;
      for (int64_t I = 0; I < K; ++I)
        Sum += Z[I] * Mix(I, J);
      X[J] = Sum * Scale[J];
    }
    for (int64_t I = 0; I < K; ++I)
      for (int64_t J = 0; J < K; ++J)
        H(I, J) += X[I] * X[J];
  }
  for (double &V : H.Data)
    V /= double(T);
  return H;
}

/// Nearest value of the storage type, via APFloat (ties to even).
inline float apRound(double V, ScaleType T) {
  if (T == ScaleType::F32)
    return float(V);
  llvm::APFloat A(V);
  bool LosesInfo;
  A.convert(T == ScaleType::F16 ? llvm::APFloat::IEEEhalf()
                                : llvm::APFloat::BFloat(),
            llvm::APFloat::rmNearestTiesToEven, &LosesInfo);
  A.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
            &LosesInfo);
  return A.convertToFloat();
}

/// rᵀ H r per row, plain loops in float64.
inline std::vector<double>
referenceRowErrors(const Matrix &W, const Matrix &What, const Matrix &H) {
  std::vector<double> E(static_cast<size_t>(W.Rows), 0.0);
  int64_t K = W.Cols;
  std::vector<double> R(static_cast<size_t>(K));
  for (int64_t N = 0; N < W.Rows; ++N) {
    for (int64_t I = 0; I < K; ++I)
      R[I] = What(N, I) - W(N, I);
    double Sum = 0;
    for (int64_t I = 0; I < K; ++I)
      for (int64_t J = 0; J < K; ++J)
        Sum += R[I] * H(I, J) * R[J];
    E[N] = Sum;
  }
  return E;
}

inline double sum(const std::vector<double> &V) {
  double S = 0;
  for (double X : V)
    S += X;
  return S;
}

/// H + λ·mean(diag H)·I, symmetrised, as the optimisation uses it.
inline Matrix dampedHessian(const Matrix &H, double Lambda) {
  int64_t K = H.Rows;
  double Mean = 0;
  for (int64_t I = 0; I < K; ++I)
    Mean += H(I, I);
  Mean /= double(K);
  Matrix D(K, K);
  for (int64_t I = 0; I < K; ++I)
    for (int64_t J = 0; J < K; ++J)
      D(I, J) = 0.5 * (H(I, J) + H(J, I)) + (I == J ? Lambda * Mean : 0.0);
  return D;
}

} // namespace test
} // namespace dq

#endif // DQ_UNITTESTS_QUANT_QUANTTESTUTIL_H
