//===- CoordinateDescentStep.cpp - Integer coordinate descent ------------===//
//
// Refines a row's integers with (s, z) fixed by exact coordinate descent on
// the damped objective f(q) = rᵀ Hd r, r = ŵ - w: column by column, the
// integer that minimises f with every other integer fixed. f is a convex
// quadratic in one coordinate, so that integer is the nearest grid point
// (clamped) to the coordinate's real minimiser, ŵ_j - (Hd r)_j / Hd_jj, and
// f never increases. The gradient g = Hd r is kept up to date lazily, as in
// GPTQ: inside a block of columns a change updates the block's own entries,
// and at the end of the block one GEMM pushes the block's changes onto all
// columns (docs/quantization.md, "Integer coordinate descent").
//
//===----------------------------------------------------------------------===//

#include "LinAlg.h"
#include "dq/Quant/Steps.h"

#include <algorithm>
#include <vector>

namespace dq {

void coordinateDescentRound(const LayerContext &C, const double *W,
                            int64_t Rows, const float *S, const float *Z,
                            unsigned Sweeps, unsigned BlockSize, int8_t *Q,
                            double *DampedErrors) {
  int64_t K = C.K, G = C.NumGroups, Gs = C.GroupSize;
  const double *Hd = C.HDamped.Data.data();
  std::vector<double> R(size_t(Rows * K)), Grad(R.size());
  for (int64_t Row = 0; Row < Rows; ++Row) {
    double *Rr = R.data() + Row * K;
    dequantizeRow(C, Q + Row * K, S + Row * G, Z + Row * G, Rr);
    for (int64_t I = 0; I < K; ++I)
      Rr[I] -= W[Row * K + I];
  }
  // Hd is symmetric: the rows of R·Hd are the gradients Hd r.
  linalg::gemm(false, false, Rows, K, K, 1.0, R.data(), K, Hd, K, 0.0,
               Grad.data(), K);
  int64_t B = std::max<int64_t>(1, std::min<int64_t>(BlockSize, K));
  // The block's changes of ŵ (Rows x B) and their effect on the block's own
  // gradient entries (Rows x B), until the block's GEMM.
  std::vector<double> Delta(size_t(Rows * B)), Local(Delta.size());
  for (unsigned Sweep = 0; Sweep < Sweeps; ++Sweep) {
    bool Changed = false;
    for (int64_t J0 = 0; J0 < K; J0 += B) {
      int64_t J1 = std::min(K, J0 + B), Bw = J1 - J0;
      std::fill(Delta.begin(), Delta.end(), 0.0);
      std::fill(Local.begin(), Local.end(), 0.0);
      bool BlockChanged = false;
      for (int64_t J = J0; J < J1; ++J) {
        const double *Hj = Hd + J * K;
        double Hjj = Hj[J];
        if (!(Hjj > 0))
          continue; // A dead, undamped column: f does not depend on it.
        int64_t Gg = J / Gs;
        for (int64_t Row = 0; Row < Rows; ++Row) {
          double Sc = S[Row * G + Gg], Off = Z[Row * G + Gg];
          int8_t &Qv = Q[Row * K + J];
          double Gj = Grad[Row * K + J] + Local[Row * B + (J - J0)];
          double Target = Sc * double(Qv) + Off - Gj / Hjj;
          int Qn =
              roundAndClamp((Target - Off) / safeDivisor(Sc), C.QMin, C.QMax);
          if (Qn == Qv)
            continue;
          double D = Sc * double(Qn) + Off - (Sc * double(Qv) + Off);
          Qv = int8_t(Qn);
          R[Row * K + J] += D;
          Delta[Row * B + (J - J0)] += D;
          double *Lr = Local.data() + Row * B;
          for (int64_t I = J; I < J1; ++I)
            Lr[I - J0] += D * Hj[I];
          BlockChanged = true;
        }
      }
      if (!BlockChanged)
        continue;
      Changed = true;
      // Grad += Delta · Hd[J0:J1, :] (Local held the block's share of it).
      linalg::gemm(false, false, Rows, K, Bw, 1.0, Delta.data(), B, Hd + J0 * K,
                   K, 1.0, Grad.data(), K);
    }
    if (!Changed)
      break;
  }
  if (DampedErrors)
    for (int64_t Row = 0; Row < Rows; ++Row)
      DampedErrors[Row] =
          linalg::dot(R.data() + Row * K, Grad.data() + Row * K, K);
}

} // namespace dq
