//===- LeastSquares.cpp - Closed-form (s, z) step with Q fixed -----------===//
//
// For one row with integers a and group indicator E (K x G), A = diag(a)·E,
// the minimiser of (As + Ez - w)ᵀ H (As + Ez - w) solves
//
//   [AᵀHA AᵀHE] [s]   [AᵀHw]
//   [EᵀHA EᵀHE] [z] = [EᵀHw].
//
// AᵀHA[g, h] = Σ_{i∈g, j∈h} a_i H_ij a_j is the only part that needs H
// itself: per group h, X = H[:, h]·a_h for all rows of a chunk is one GEMM
// (only rows i < (h+1)·gs, by symmetry), then reduced per group g ≤ h.
// EᵀHE is row-independent and AᵀHE = Aᵀ·(H·E) uses the precomputed H·E, so
// a row costs K²/2 multiply-adds and nothing of size rows x G x K is formed.
//
//===----------------------------------------------------------------------===//

#include "LinAlg.h"
#include "dq/Quant/Steps.h"

#include <algorithm>
#include <cmath>

namespace dq {

void buildLeastSquares(const LayerContext &C, const double *W, const double *HW,
                       const int8_t *Q, int64_t Rows,
                       std::vector<LeastSquaresSystem> &Systems) {
  int64_t K = C.K, G = C.NumGroups, Gs = C.GroupSize, Dim = 2 * G;
  Systems.resize(static_cast<size_t>(Rows));
  for (LeastSquaresSystem &Sys : Systems) {
    Sys.Dim = Dim;
    Sys.M.assign(size_t(Dim * Dim), 0.0);
    Sys.B.assign(static_cast<size_t>(Dim), 0.0);
  }

  std::vector<double> Qd(size_t(Rows * K));
  for (int64_t I = 0; I < Rows * K; ++I)
    Qd[I] = double(Q[I]);

  std::vector<double> X(size_t(K * Rows));
  for (int64_t Hg = 0; Hg < G; ++Hg) {
    int64_t M = (Hg + 1) * Gs;
    // X[i, r] = Σ_{j∈h} H[i, j]·q[r, j] for i < M.
    linalg::gemm(false, true, M, Rows, Gs, 1.0, C.HDamped.Data.data() + Hg * Gs,
                 K, Qd.data() + Hg * Gs, K, 0.0, X.data(), Rows);
    for (int64_t Row = 0; Row < Rows; ++Row) {
      const double *Qr = Qd.data() + Row * K;
      std::vector<double> &Mat = Systems[Row].M;
      for (int64_t Gg = 0; Gg <= Hg; ++Gg) {
        double Sum = 0;
        for (int64_t I = Gg * Gs; I < (Gg + 1) * Gs; ++I)
          Sum += Qr[I] * X[I * Rows + Row];
        Mat[Gg * Dim + Hg] = Sum;
        Mat[Hg * Dim + Gg] = Sum;
      }
    }
  }

  for (int64_t Row = 0; Row < Rows; ++Row) {
    LeastSquaresSystem &Sys = Systems[Row];
    const double *Qr = Qd.data() + Row * K;
    const double *Wr = W + Row * K, *HWr = HW + Row * K;
    for (int64_t Gg = 0; Gg < G; ++Gg) {
      // AᵀHE[g, h] = Σ_{i∈g} a_i (HE)[i, h].
      for (int64_t Hg = 0; Hg < G; ++Hg) {
        double Sum = 0;
        for (int64_t I = Gg * Gs; I < (Gg + 1) * Gs; ++I)
          Sum += Qr[I] * C.HE(I, Hg);
        Sys.M[Gg * Dim + G + Hg] = Sum;
        Sys.M[(G + Hg) * Dim + Gg] = Sum;
      }
      for (int64_t Hg = 0; Hg < G; ++Hg)
        Sys.M[(G + Gg) * Dim + G + Hg] = C.EHE(Gg, Hg);
      double Bs = 0, Bz = 0;
      for (int64_t I = Gg * Gs; I < (Gg + 1) * Gs; ++I) {
        Bs += Qr[I] * HWr[I];
        Bz += HWr[I];
      }
      Sys.B[Gg] = Bs;
      Sys.B[G + Gg] = Bz;
    }
    double WHW = 0, WW = 0;
    for (int64_t I = 0; I < K; ++I) {
      WHW += Wr[I] * HWr[I];
      WW += Wr[I] * Wr[I];
    }
    Sys.WHW = WHW;
    Sys.WW = WW;
  }
}

bool solveLeastSquares(const LeastSquaresSystem &Sys, double *X) {
  int64_t N = Sys.Dim;
  double MeanDiag = 0;
  for (int64_t I = 0; I < N; ++I)
    MeanDiag += Sys.M[I * N + I];
  MeanDiag /= double(N);
  if (!(MeanDiag > 0))
    MeanDiag = 1;
  std::vector<double> A(size_t(N * N));
  // No shift first, then 0.01·mean(diag), growing 10x per failure.
  double Shift = 0;
  for (int Try = 0; Try < 5; ++Try) {
    for (int64_t I = 0; I < N; ++I)
      for (int64_t J = 0; J < N; ++J)
        A[I * N + J] = 0.5 * (Sys.M[I * N + J] + Sys.M[J * N + I]);
    for (int64_t I = 0; I < N; ++I)
      A[I * N + I] += Shift;
    Shift = Shift == 0 ? 0.01 * MeanDiag : Shift * 10;
    if (!linalg::choleskyUpper(A.data(), N))
      continue;
    std::copy(Sys.B.begin(), Sys.B.end(), X);
    linalg::choleskySolve(A.data(), N, X);
    if (std::all_of(X, X + N, [](double V) { return std::isfinite(V); }))
      return true;
  }
  return false;
}

double systemError(const LayerContext &C, const LeastSquaresSystem &Sys,
                   const double *W, const int8_t *Q, const float *S,
                   const float *Z) {
  int64_t G = C.NumGroups, N = Sys.Dim;
  std::vector<double> X(static_cast<size_t>(N));
  for (int64_t Gg = 0; Gg < G; ++Gg) {
    X[Gg] = S[Gg];
    X[G + Gg] = Z[Gg];
  }
  double Quad = 0, Lin = 0;
  for (int64_t I = 0; I < N; ++I) {
    double Row = 0;
    for (int64_t J = 0; J < N; ++J)
      Row += Sys.M[I * N + J] * X[J];
    Quad += X[I] * Row;
    Lin += X[I] * Sys.B[I];
  }
  double Norm = 0;
  for (int64_t Gg = 0; Gg < G; ++Gg)
    for (int64_t I = Gg * C.GroupSize; I < (Gg + 1) * C.GroupSize; ++I) {
      double D = double(S[Gg]) * Q[I] + double(Z[Gg]) - W[I];
      Norm += D * D;
    }
  return std::max(0.0, Sys.WHW - 2 * Lin + Quad - C.Delta * Norm);
}

} // namespace dq
