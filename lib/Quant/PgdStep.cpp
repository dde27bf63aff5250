//===- PgdStep.cpp - Projected-gradient integer step ---------------------===//
//
// decoupleQ's "first-level approximation": relax each weight to the box
// [min(αs+z, βs+z), max(αs+z, βs+z)] of its group, minimise
// (v - w)ᵀ H (v - w) over the box with Adam (projected: clamp after every
// step), then snap the columns to the grid one by one, re-optimising the
// columns not yet snapped after each, and finally round everything.
// The per-column phase costs O(K³) per row: meant for layers of modest K.
//
//===----------------------------------------------------------------------===//

#include "LinAlg.h"
#include "dq/Quant/Steps.h"

#include <algorithm>
#include <cmath>

namespace dq {

namespace {
struct AdamState {
  std::vector<double> M, V;
  int64_t Step = 0;
};
} // namespace

void pgdRound(const LayerContext &C, const double *W, int64_t Rows,
              const float *S, const float *Z, const PgdOptions &Opts,
              int8_t *Q) {
  int64_t K = C.K, G = C.NumGroups, Gs = C.GroupSize;
  const double Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-5;
  double Lr = Opts.LearningRate;
  std::vector<double> Lo(size_t(Rows * K)), Hi(size_t(Rows * K)),
      V(size_t(Rows * K)), D(size_t(Rows * K)), Grad(size_t(Rows * K));
  for (int64_t Row = 0; Row < Rows; ++Row)
    for (int64_t I = 0; I < K; ++I) {
      int64_t Idx = Row * K + I, Gg = Row * G + I / Gs;
      double A = double(S[Gg]) * C.QMin + Z[Gg];
      double B = double(S[Gg]) * C.QMax + Z[Gg];
      Lo[Idx] = std::min(A, B);
      Hi[Idx] = std::max(A, B);
      V[Idx] = std::min(std::max(W[Idx], Lo[Idx]), Hi[Idx]);
    }
  AdamState Adam;
  Adam.M.assign(size_t(Rows * K), 0.0);
  Adam.V.assign(size_t(Rows * K), 0.0);

  // Gradient (v - w)·H on columns [From, K), then one Adam step there.
  auto Step = [&](int64_t From) {
    for (int64_t I = 0; I < Rows * K; ++I)
      D[I] = V[I] - W[I];
    linalg::gemm(false, false, Rows, K - From, K, 1.0, D.data(), K,
                 C.HDamped.Data.data() + From, K, 0.0, Grad.data() + From, K);
    ++Adam.Step;
    double C1 = 1 - std::pow(Beta1, double(Adam.Step));
    double C2 = 1 - std::pow(Beta2, double(Adam.Step));
    for (int64_t Row = 0; Row < Rows; ++Row)
      for (int64_t I = From; I < K; ++I) {
        int64_t Idx = Row * K + I;
        double Gr = Grad[Idx];
        Adam.M[Idx] = Beta1 * Adam.M[Idx] + (1 - Beta1) * Gr;
        Adam.V[Idx] = Beta2 * Adam.V[Idx] + (1 - Beta2) * Gr * Gr;
        double Upd = (Adam.M[Idx] / C1) / (std::sqrt(Adam.V[Idx] / C2) + Eps);
        V[Idx] = std::min(std::max(V[Idx] - Lr * Upd, Lo[Idx]), Hi[Idx]);
      }
  };
  auto Snap = [&](int64_t Row, int64_t I) {
    int64_t Idx = Row * K + I, Gg = Row * G + I / Gs;
    double Sc = S[Gg], Off = Z[Gg];
    int Qv = roundAndClamp((V[Idx] - Off) / safeDivisor(Sc), C.QMin, C.QMax);
    Q[Idx] = int8_t(Qv);
    V[Idx] = Sc * Qv + Off;
  };

  for (unsigned I = 0; I < Opts.Steps; ++I)
    Step(0);
  for (int64_t J = 0; J < K; ++J) {
    for (int64_t Row = 0; Row < Rows; ++Row)
      Snap(Row, J);
    if (J + 1 < K)
      for (unsigned I = 0; I < Opts.ColumnSteps; ++I)
        Step(J + 1);
  }
}

} // namespace dq
