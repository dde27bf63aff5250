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
// EᵀHE is row-independent and AᵀHE = Aᵀ·(H·E) uses the precomputed H·E (one
// small product per group over the chunk's rows), so a row costs K²/2
// multiply-adds and nothing of size rows x G x K is formed.
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
  // Every entry of M and B is written below: no zero fill (a chunk's
  // systems are tens of MB).
  Systems.resize(static_cast<size_t>(Rows));
  for (LeastSquaresSystem &Sys : Systems) {
    Sys.Dim = Dim;
    Sys.M.resize(size_t(Dim * Dim));
    Sys.B.resize(static_cast<size_t>(Dim));
  }

  std::vector<double> Qd(size_t(Rows * K));
  for (int64_t I = 0; I < Rows * K; ++I)
    Qd[I] = double(Q[I]);

  // AᵀHA, upper block triangle by symmetry: for a panel of groups g (the
  // rows' q over them stay in cache) and every h >= g, X = q_h·H[g, h]ᵀ is
  // one product over the chunk's rows, reduced at once with q_g.
  const int64_t PanelGroups = std::max<int64_t>(1, 512 / Gs);
  std::vector<double> X(size_t(Rows * PanelGroups * Gs)),
      Sums(size_t(Rows * PanelGroups));
  for (int64_t P0 = 0; P0 < G; P0 += PanelGroups) {
    int64_t P1 = std::min(G, P0 + PanelGroups);
    for (int64_t Hg = P0; Hg < G; ++Hg) {
      int64_t Top = std::min(P1, Hg + 1), Width = (Top - P0) * Gs;
      // X[r, i] = Σ_{j∈h} q[r, j]·H[P0·Gs + i, j] (rows contiguous in i).
      linalg::gemm(false, true, Rows, Width, Gs, 1.0, Qd.data() + Hg * Gs, K,
                   C.HDamped.row(P0 * Gs) + Hg * Gs, K, 0.0, X.data(), Width);
      linalg::segmentDotsRows(Qd.data() + P0 * Gs, K, X.data(), Width, Rows, Gs,
                              Top - P0, Sums.data());
      for (int64_t Row = 0; Row < Rows; ++Row) {
        std::vector<double> &Mat = Systems[Row].M;
        const double *Sr = Sums.data() + Row * (Top - P0);
        for (int64_t Gg = P0; Gg < Top; ++Gg) {
          Mat[Gg * Dim + Hg] = Sr[Gg - P0];
          Mat[Hg * Dim + Gg] = Sr[Gg - P0];
        }
      }
    }
  }

  // AᵀHE[g, :] = Σ_{i∈g} a_i (HE)[i, :]: per group g, one product over the
  // chunk's rows.
  std::vector<double> AHE(size_t(Rows * G));
  for (int64_t Gg = 0; Gg < G; ++Gg) {
    linalg::gemm(false, false, Rows, G, Gs, 1.0, Qd.data() + Gg * Gs, K,
                 C.HE.row(Gg * Gs), G, 0.0, AHE.data(), G);
    for (int64_t Row = 0; Row < Rows; ++Row) {
      std::vector<double> &Mat = Systems[Row].M;
      const double *A = AHE.data() + Row * G;
      for (int64_t Hg = 0; Hg < G; ++Hg) {
        Mat[Gg * Dim + G + Hg] = A[Hg];
        Mat[(G + Hg) * Dim + Gg] = A[Hg];
      }
    }
  }

  for (int64_t Row = 0; Row < Rows; ++Row) {
    LeastSquaresSystem &Sys = Systems[Row];
    const double *Qr = Qd.data() + Row * K;
    const double *Wr = W + Row * K, *HWr = HW + Row * K;
    for (int64_t Gg = 0; Gg < G; ++Gg) {
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
    Quad += X[I] * linalg::dot(Sys.M.data() + I * N, X.data(), N);
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
