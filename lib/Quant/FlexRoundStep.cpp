//===- FlexRoundStep.cpp - Learned-division rounding (FlexRound) ---------===//
//
// FlexRound (Lee et al., 2023) as decoupleQ's integer step: with (s, z)
// fixed, each weight's integer is
//
//   q = clamp(round(u)),   u = ((w - z) / s) / exp(L)
//
// where L is a learned log-divisor per weight, initialised to 0 (so the
// first integers are RTN's). They are trained
// with Adam on the row's quadratic loss (ŵ - w)ᵀ Hd (ŵ - w), whose
// gradient with respect to ŵ is 2·Hd·(ŵ - w) (no autograd needed); round
// passes the gradient straight through (inside the clamp range), so
// d loss / dL = -2 (Hd r) · s · u. The integers with the smallest loss seen
// are kept, so the result is never worse than RTN with the same (s, z).
//
// A step is one GEMM over the row block (R x K times K x K): O(Steps · K²)
// per row. Rows never interact, so results do not depend on how rows are
// split between threads. The paper's per-row and per-column factors are
// left out: a per-column one would tie the rows of a block together, and a
// per-row one changed MiniLM's error by under 1% either way (measured).
//
//===----------------------------------------------------------------------===//

#include "LinAlg.h"
#include "dq/Quant/Steps.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dq {

void flexRound(const LayerContext &C, const double *W, int64_t Rows,
               const float *S, const float *Z, const FlexRoundOptions &Opts,
               int8_t *Q, double *DampedErrors) {
  int64_t K = C.K, G = C.NumGroups, Gs = C.GroupSize;
  size_t Size = size_t(Rows * K);
  const double Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8;
  const double Lr = Opts.LearningRate;
  // Normalises the gradient to grid units (Adam is invariant to a constant
  // factor per parameter except through Eps; this keeps Eps negligible
  // whatever the scale of H).
  double MeanDiag = 0;
  for (int64_t I = 0; I < K; ++I)
    MeanDiag += C.HDamped(I, I);
  MeanDiag /= double(K);
  double InvMeanDiag = MeanDiag > 0 ? 1 / MeanDiag : 1;

  // X: the weights in grid units; L: the log-divisors and ML, VL their
  // Adam moments; R: residuals, HR = R·Hd; U: the divided values.
  std::vector<double> X(Size), L(Size, 0.0), ML(Size, 0.0), VL(Size, 0.0),
      R(Size), HR(Size), U(Size);
  std::vector<double> BestErr(static_cast<size_t>(Rows),
                              std::numeric_limits<double>::infinity());
  std::vector<int8_t> Cur(Size);
  for (int64_t Row = 0; Row < Rows; ++Row)
    for (int64_t I = 0; I < K; ++I) {
      int64_t Gg = Row * G + I / Gs;
      X[Row * K + I] = (W[Row * K + I] - Z[Gg]) / safeDivisor(S[Gg]);
    }

  for (unsigned Step = 0;; ++Step) {
    // Forward: integers and residuals of the current divisors. At step 0
    // every divisor is exp(0) = 1, so these are exactly RTN's integers.
    for (int64_t Row = 0; Row < Rows; ++Row) {
      for (int64_t I = 0; I < K; ++I) {
        int64_t Idx = Row * K + I, Gg = Row * G + I / Gs;
        double D = Step == 0 ? 1.0 : std::exp(L[Idx]);
        U[Idx] = X[Idx] / D;
        int Qv = roundAndClamp(U[Idx], C.QMin, C.QMax);
        Cur[Idx] = int8_t(Qv);
        R[Idx] = double(S[Gg]) * Qv + double(Z[Gg]) - W[Idx];
      }
    }
    linalg::gemm(false, false, Rows, K, K, 1.0, R.data(), K,
                 C.HDamped.Data.data(), K, 0.0, HR.data(), K);
    // Keep each row's best integers (by the damped loss rᵀ Hd r); RTN's
    // always, even with a NaN loss (from a non-finite s or z).
    for (int64_t Row = 0; Row < Rows; ++Row) {
      double E = linalg::dot(R.data() + Row * K, HR.data() + Row * K, K);
      if (Step == 0 || E < BestErr[Row]) {
        BestErr[Row] = E;
        std::copy_n(Cur.data() + Row * K, K, Q + Row * K);
      }
    }
    if (Step == Opts.Steps)
      break;

    // Backward and one Adam step on L.
    double C1 = 1 - std::pow(Beta1, double(Step + 1));
    double C2 = 1 - std::pow(Beta2, double(Step + 1));
    for (int64_t Row = 0; Row < Rows; ++Row) {
      for (int64_t I = 0; I < K; ++I) {
        int64_t Idx = Row * K + I, Gg = Row * G + I / Gs;
        double Uv = U[Idx];
        // d loss / dL = -2 (Hd r) s u, in grid units: divided by s² and
        // mean(diag Hd).
        double Gr = -2 * HR[Idx] * InvMeanDiag * Uv / safeDivisor(S[Gg]);
        // Straight through round. Past the clamp the gradient is zero, except
        // where it moves u back towards the grid (du/dL = -u, so a step
        // changes u by about Lr·u·sign(Gr)), lest a weight pushed past the
        // end stay there.
        bool Above = Uv >= C.QMax + 0.5, Below = Uv < C.QMin - 0.5;
        if ((Above && Gr * Uv > 0) || (Below && Gr * Uv < 0))
          continue;
        ML[Idx] = Beta1 * ML[Idx] + (1 - Beta1) * Gr;
        VL[Idx] = Beta2 * VL[Idx] + (1 - Beta2) * Gr * Gr;
        L[Idx] -= Lr * (ML[Idx] / C1) / (std::sqrt(VL[Idx] / C2) + Eps);
      }
    }
  }
  if (DampedErrors)
    std::copy(BestErr.begin(), BestErr.end(), DampedErrors);
}

} // namespace dq
