//===- Hessian.cpp - Streaming H = XᵀX / T in float64 --------------------===//
//
// Σ x xᵀ with plain loops (no BLAS, see Hessian.h). The upper triangle is
// cut into tiles that stay in cache while every row of the batch streams
// by; inside a tile, two columns take four rows per pass over the tile, in
// a loop over I that the compiler vectorizes without reassociating: each
// entry still receives its products one row at a time, in row order.
//
//===----------------------------------------------------------------------===//

#include "dq/Calibration/Hessian.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace dq {

namespace {

/// A tile of Sum: kTileJ columns of kTileI entries (128 KiB of doubles,
/// L2-resident across the batch's rows).
constexpr int64_t kTileI = 256, kTileJ = 64;

/// S0[I] += Σ_r X_r[I]·A_r and S1[I] += Σ_r X_r[I]·B_r over four rows r, in
/// row order, for I in [Begin, End). An AVX2 clone doubles the width where
/// the CPU has it; without FMA it does the same multiply-then-add as the
/// baseline clone, so both give the same bits.
__attribute__((target_clones("avx2", "default"))) void
addColumns2x4(double *__restrict S0, double *__restrict S1,
              const double *__restrict X0, const double *__restrict X1,
              const double *__restrict X2, const double *__restrict X3,
              const double *A, const double *B, int64_t Begin, int64_t End) {
  double A0 = A[0], A1 = A[1], A2 = A[2], A3 = A[3];
  double B0 = B[0], B1 = B[1], B2 = B[2], B3 = B[3];
  for (int64_t I = Begin; I < End; ++I) {
    double S = S0[I], T = S1[I];
    S += X0[I] * A0;
    T += X0[I] * B0;
    S += X1[I] * A1;
    T += X1[I] * B1;
    S += X2[I] * A2;
    T += X2[I] * B2;
    S += X3[I] * A3;
    T += X3[I] * B3;
    S0[I] = S;
    S1[I] = T;
  }
}

/// S[I] += X[I]·A for I in [Begin, End): the leftover rows and columns.
void addColumn1x1(double *__restrict S, const double *__restrict X, double A,
                  int64_t Begin, int64_t End) {
  for (int64_t I = Begin; I < End; ++I)
    S[I] += X[I] * A;
}

/// Adds the products of every row of X to the tile's entries I <= J (and,
/// in a pair's first column, to the unused entry just below the diagonal).
void addTile(const double *X, int64_t Rows, int64_t K, int64_t I0, int64_t I1,
             int64_t J0, int64_t J1, double *Sum) {
  int64_t R = 0;
  for (; R + 4 <= Rows; R += 4) {
    const double *X0 = X + R * K;
    int64_t J = J0;
    for (; J + 2 <= J1; J += 2) {
      int64_t End = std::min(I1, J + 2);
      if (End <= I0)
        continue;
      double A[4], B[4];
      for (int L = 0; L < 4; ++L) {
        A[L] = X0[L * K + J];
        B[L] = X0[L * K + J + 1];
      }
      addColumns2x4(Sum + J * K, Sum + (J + 1) * K, X0, X0 + K, X0 + 2 * K,
                    X0 + 3 * K, A, B, I0, End);
    }
    for (; J < J1; ++J)
      for (int L = 0; L < 4; ++L)
        addColumn1x1(Sum + J * K, X0 + L * K, X0[L * K + J], I0,
                     std::min(I1, J + 1));
  }
  for (; R < Rows; ++R) {
    const double *Xr = X + R * K;
    for (int64_t J = J0; J < J1; ++J)
      addColumn1x1(Sum + J * K, Xr, Xr[J], I0, std::min(I1, J + 1));
  }
}

} // namespace

HessianAccumulator::HessianAccumulator(int64_t K)
    : K(K), Sum(size_t(K * K), 0.0) {}

template <typename T>
static Error addBatchImpl(ArrayRef<T> X, int64_t Rows, int64_t K, int64_t Batch,
                          std::vector<double> &Sum, int64_t &Samples) {
  if (Rows < 0 || X.size() != size_t(Rows * K))
    return createStringError(
        formatv("activation batch {0}: {1} values do not form rows of K = {2} "
                "({3} rows expected {4} values)",
                Batch, X.size(), K, Rows, Rows * K)
            .str());
  for (int64_t I = 0; I < Rows * K; ++I)
    if (!std::isfinite(double(X[I])))
      return createStringError(
          formatv("activation batch {0} rejected: non-finite value {1} at "
                  "row {2}, column {3}",
                  Batch, format("%g", double(X[I])), I / K, I % K)
              .str());
  std::vector<double> Xd(X.begin(), X.end());
  for (int64_t J0 = 0; J0 < K; J0 += kTileJ) {
    int64_t J1 = std::min(K, J0 + kTileJ);
    for (int64_t I0 = 0; I0 < J1; I0 += kTileI)
      addTile(Xd.data(), Rows, K, I0, std::min(J1, I0 + kTileI), J0, J1,
              Sum.data());
  }
  Samples += Rows;
  return Error::success();
}

Error HessianAccumulator::addBatch(ArrayRef<float> X, int64_t Rows) {
  return addBatchImpl(X, Rows, K, Batches++, Sum, Samples);
}

Error HessianAccumulator::addBatch(ArrayRef<double> X, int64_t Rows) {
  return addBatchImpl(X, Rows, K, Batches++, Sum, Samples);
}

Expected<Matrix> HessianAccumulator::getHessian() const {
  if (Samples == 0)
    return createStringError("no activation samples were accumulated");
  Matrix H(K, K);
  double Inv = 1.0 / double(Samples);
  for (int64_t J = 0; J < K; ++J)
    for (int64_t I = 0; I <= J; ++I) {
      double V = Sum[size_t(J * K + I)] * Inv;
      H(I, J) = V;
      H(J, I) = V;
    }
  return H;
}

} // namespace dq
