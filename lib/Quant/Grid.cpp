//===- Grid.cpp - Layer context, min-max, RTN, errors, clip search -------===//

#include "LinAlg.h"
#include "dq/Quant/Steps.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace dq {

LayerContext makeLayerContext(const Matrix &H, const QuantOptions &Opts,
                              int64_t K) {
  LayerContext C;
  C.K = K;
  C.GroupSize =
      (Opts.GroupSize <= 0 || Opts.GroupSize > K) ? K : Opts.GroupSize;
  C.NumGroups = K / C.GroupSize;
  C.Bits = Opts.Bits;
  C.QMin = -(1 << (Opts.Bits - 1));
  C.QMax = (1 << (Opts.Bits - 1)) - 1;
  C.Scale = Opts.Scale;

  double MeanDiag = 0;
  for (int64_t I = 0; I < K; ++I)
    MeanDiag += H(I, I);
  MeanDiag /= double(K);
  // An all-zero H has no scale of its own: damp as if mean(diag) were 1.
  C.Delta = Opts.Damp * (MeanDiag > 0 ? MeanDiag : 1.0);

  C.HDamped = Matrix(K, K);
  for (int64_t I = 0; I < K; ++I)
    for (int64_t J = 0; J < K; ++J)
      C.HDamped(I, J) = 0.5 * (H(I, J) + H(J, I));
  for (int64_t I = 0; I < K; ++I)
    C.HDamped(I, I) += C.Delta;
  C.HDampedF32.assign(C.HDamped.Data.begin(), C.HDamped.Data.end());

  int64_t G = C.NumGroups, Gs = C.GroupSize;
  C.HE = Matrix(K, G);
  for (int64_t I = 0; I < K; ++I) {
    const double *Row = C.HDamped.row(I);
    for (int64_t Hg = 0; Hg < G; ++Hg) {
      double Sum = 0;
      for (int64_t J = Hg * Gs; J < (Hg + 1) * Gs; ++J)
        Sum += Row[J];
      C.HE(I, Hg) = Sum;
    }
  }
  C.EHE = Matrix(G, G);
  for (int64_t Gg = 0; Gg < G; ++Gg)
    for (int64_t I = Gg * Gs; I < (Gg + 1) * Gs; ++I)
      for (int64_t Hg = 0; Hg < G; ++Hg)
        C.EHE(Gg, Hg) += C.HE(I, Hg);
  return C;
}

/// Per group: lo = min(min w, 0), hi = max(max w, 0); [-1, 1] when both 0.
static void groupRanges(const LayerContext &C, const double *W, double *Lo,
                        double *Hi) {
  for (int64_t G = 0; G < C.NumGroups; ++G) {
    const double *Wg = W + G * C.GroupSize;
    double L = 0, H = 0;
    for (int64_t I = 0; I < C.GroupSize; ++I) {
      L = std::min(L, Wg[I]);
      H = std::max(H, Wg[I]);
    }
    if (L == 0 && H == 0) {
      L = -1;
      H = 1;
    }
    Lo[G] = L;
    Hi[G] = H;
  }
}

/// (s, z) of the range [Shrink·lo, Shrink·hi], rounded to storage.
static void scaleOffsetOfRanges(const LayerContext &C, const double *Lo,
                                const double *Hi, double Shrink, float *S,
                                float *Z) {
  double Levels = double((1 << C.Bits) - 1);
  for (int64_t G = 0; G < C.NumGroups; ++G) {
    double L = Lo[G] * Shrink, H = Hi[G] * Shrink;
    double Scale = (H - L) / Levels;
    S[G] = roundToScaleType(Scale, C.Scale);
    Z[G] = roundToScaleType(L - Scale * double(C.QMin), C.Scale);
  }
}

void minMaxScaleOffset(const LayerContext &C, const double *W, double Shrink,
                       float *S, float *Z) {
  std::vector<double> Lo(static_cast<size_t>(C.NumGroups)), Hi(Lo.size());
  groupRanges(C, W, Lo.data(), Hi.data());
  scaleOffsetOfRanges(C, Lo.data(), Hi.data(), Shrink, S, Z);
}

/// Σ diag_i (ŵ_i - w_i)² over one group for the RTN integers of (s, z): the
/// clip search's ranking score, its hottest loop. float32, multiplying by
/// 1/s (instead of dividing) and shifting the range to [0, 2^b - 1] (so
/// that the floor is a truncation) are fine for a ranking, as the exact
/// scoring recomputes the finalists' integers. Written with GCC vector
/// extensions (the loop vectoriser gives up on the clamps); an AVX-512 or
/// AVX2 build is selected at run time.
typedef float V16f __attribute__((vector_size(64)));
typedef int32_t V16i __attribute__((vector_size(64)));

__attribute__((target_clones("avx512f", "avx2", "default"))) static double
diagonalGroupError(const float *W, const float *Diag, int64_t N, float S,
                   float Z, float Inv, int QMin, int QMax) {
  float Shift = 0.5f - float(QMin), Top = float(QMax - QMin);
  V16f Acc = {};
  int64_t I = 0;
  for (; I + 16 <= N; I += 16) {
    V16f Wv, Dv;
    std::memcpy(&Wv, W + I, sizeof(Wv));
    std::memcpy(&Dv, Diag + I, sizeof(Dv));
    V16f V = (Wv - Z) * Inv + Shift;
    V = V > 0.0f ? V : 0.0f;
    V = V < Top ? V : Top;
    V16f F = __builtin_convertvector(__builtin_convertvector(V, V16i), V16f);
    V16f D = S * (F + float(QMin)) + Z - Wv;
    Acc += Dv * D * D;
  }
  double Sum = 0;
  for (int L = 0; L < 16; ++L)
    Sum += Acc[L];
  for (; I < N; ++I) {
    float V = (W[I] - Z) * Inv + Shift;
    // As in the vector loop: a NaN (non-finite S or Z) becomes 0.
    V = V > 0.0f ? V : 0.0f;
    V = V < Top ? V : Top;
    float D = S * (float(int(V)) + float(QMin)) + Z - W[I];
    Sum += Diag[I] * D * D;
  }
  return Sum;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void
roundToNearest(const LayerContext &C, const double *W, const float *S,
               const float *Z, int8_t *Q) {
  for (int64_t G = 0; G < C.NumGroups; ++G) {
    double Div = safeDivisor(S[G]), Off = Z[G];
    for (int64_t I = G * C.GroupSize; I < (G + 1) * C.GroupSize; ++I)
      Q[I] = int8_t(roundAndClamp((W[I] - Off) / Div, C.QMin, C.QMax));
  }
}

void dequantizeRow(const LayerContext &C, const int8_t *Q, const float *S,
                   const float *Z, double *What) {
  for (int64_t G = 0; G < C.NumGroups; ++G) {
    double Sc = S[G], Off = Z[G];
    for (int64_t I = G * C.GroupSize; I < (G + 1) * C.GroupSize; ++I)
      What[I] = Sc * double(Q[I]) + Off;
  }
}

/// Errors of the residual rows R (Rows x K) against the damped H, undone to
/// the undamped H. Tiny negative results (rounding, when r is in H's null
/// space) are clamped to 0.
static void residualErrors(const LayerContext &C, const double *R, int64_t Rows,
                           double *Errors) {
  int64_t K = C.K;
  std::vector<double> T(size_t(Rows * K));
  linalg::gemm(false, false, Rows, K, K, 1.0, R, K, C.HDamped.Data.data(), K,
               0.0, T.data(), K);
  for (int64_t Row = 0; Row < Rows; ++Row) {
    const double *Rr = R + Row * K, *Tr = T.data() + Row * K;
    // (H r)_i = (Hd r)_i - δ r_i element-wise: exact when H is 0.
    double Quad = 0;
    for (int64_t I = 0; I < K; ++I)
      Quad += (Tr[I] - C.Delta * Rr[I]) * Rr[I];
    Errors[Row] = std::max(0.0, Quad);
  }
}

void computeErrors(const LayerContext &C, const double *W, const int8_t *Q,
                   const float *S, const float *Z, int64_t Rows,
                   double *Errors) {
  int64_t K = C.K, G = C.NumGroups;
  std::vector<double> R(size_t(Rows * K));
  for (int64_t Row = 0; Row < Rows; ++Row) {
    double *Rr = R.data() + Row * K;
    dequantizeRow(C, Q + Row * K, S + Row * G, Z + Row * G, Rr);
    for (int64_t I = 0; I < K; ++I)
      Rr[I] -= W[Row * K + I];
  }
  residualErrors(C, R.data(), Rows, Errors);
}

/// Undamped rᵀHr of Rows float32 residual rows R (Rows x K), with the
/// damped float32 H: by symmetry rᵀHd r = Σ_j r_j (2 (r·triu(Hd))_j -
/// Hd_jj r_j), a triangular product with half the multiply-adds of r·H.
/// Relative error ~1e-6 (float32 products, no cancellation: r is the small
/// residual itself). T: scratch of the size of R.
__attribute__((target_clones("avx512f", "avx2", "default"))) static void
residualErrorsF32(const LayerContext &C, const float *R, int64_t Rows, float *T,
                  double *Errors) {
  int64_t K = C.K;
  std::copy_n(R, Rows * K, T);
  linalg::strmmUpperRight(Rows, K, C.HDampedF32.data(), T);
  for (int64_t Row = 0; Row < Rows; ++Row) {
    const float *Rr = R + Row * K, *Tr = T + Row * K;
    double Quad = 0;
    for (int64_t J = 0; J < K; ++J)
      Quad += (2.0 * double(Tr[J]) -
               (double(C.HDampedF32[J * K + J]) + C.Delta) * Rr[J]) *
              Rr[J];
    Errors[Row] = std::max(0.0, Quad);
  }
}

void computeErrorsF32(const LayerContext &C, const double *W, const int8_t *Q,
                      const float *S, const float *Z, int64_t Rows,
                      double *Errors) {
  int64_t K = C.K, G = C.NumGroups;
  std::vector<float> R(size_t(Rows * K)), T(R.size());
  std::vector<double> What(static_cast<size_t>(K));
  for (int64_t Row = 0; Row < Rows; ++Row) {
    dequantizeRow(C, Q + Row * K, S + Row * G, Z + Row * G, What.data());
    for (int64_t I = 0; I < K; ++I)
      R[Row * K + I] = float(What[I] - W[Row * K + I]);
  }
  residualErrorsF32(C, R.data(), Rows, T.data(), Errors);
}

/// Whether the G scales and offsets of a candidate are all finite.
static bool allFinite(const float *S, const float *Z, int64_t G) {
  for (int64_t I = 0; I < G; ++I)
    if (!std::isfinite(S[I]) || !std::isfinite(Z[I]))
      return false;
  return true;
}

static int64_t numClipCandidates(const QuantOptions &Opts) {
  double X = Opts.ClipMaxShrink * double(Opts.ClipGrid);
  return std::max<int64_t>(1, int64_t(std::ceil(X - 1e-9)));
}

void clipSearch(const LayerContext &C, const double *W, int64_t Rows,
                const QuantOptions &Opts, float *S, float *Z) {
  int64_t K = C.K, G = C.NumGroups;
  int64_t NCand = numClipCandidates(Opts);
  int64_t NExact = (Opts.ClipExactCandidates == 0 ||
                    int64_t(Opts.ClipExactCandidates) >= NCand)
                       ? NCand
                       : int64_t(Opts.ClipExactCandidates);
  // The undamped diagonal, for the ranking.
  std::vector<float> Diag(static_cast<size_t>(K)), Wf(static_cast<size_t>(K));
  for (int64_t I = 0; I < K; ++I)
    Diag[I] = float(C.HDamped(I, I) - C.Delta);

  // Per row: every candidate's (s, z), ranked by the diagonal-H error.
  std::vector<float> CandS(size_t(Rows * NCand * G)),
      CandZ(size_t(Rows * NCand * G));
  std::vector<int64_t> Ranked(size_t(Rows * NExact));
  std::vector<int8_t> Q(static_cast<size_t>(K));
  std::vector<double> What(static_cast<size_t>(K)),
      Proxy(static_cast<size_t>(NCand));
  std::vector<int64_t> Order;
  std::vector<double> Lo(static_cast<size_t>(G)), Hi(Lo.size());
  int64_t Stride =
      NExact < NCand ? std::max<int64_t>(1, Opts.ClipRankStride) : 1;
  std::vector<char> Done(static_cast<size_t>(NCand));
  for (int64_t Row = 0; Row < Rows; ++Row) {
    const double *Wr = W + Row * K;
    groupRanges(C, Wr, Lo.data(), Hi.data());
    std::copy_n(Wr, K, Wf.data());
    // Candidate I's (s, z) and its diagonal error (+inf when a value
    // overflows the scale type: ranked last; the caller reports it if no
    // candidate is finite).
    auto Evaluate = [&](int64_t I) {
      if (Done[I])
        return;
      Done[I] = 1;
      double P = 1.0 - double(I) / double(Opts.ClipGrid);
      float *Sc = CandS.data() + (Row * NCand + I) * G;
      float *Zc = CandZ.data() + (Row * NCand + I) * G;
      scaleOffsetOfRanges(C, Lo.data(), Hi.data(), P, Sc, Zc);
      if (NExact == NCand)
        return;
      if (!allFinite(Sc, Zc, G)) {
        Proxy[I] = INFINITY;
        return;
      }
      double E = 0;
      for (int64_t Gg = 0; Gg < G; ++Gg)
        E += diagonalGroupError(
            Wf.data() + Gg * C.GroupSize, Diag.data() + Gg * C.GroupSize,
            C.GroupSize, Sc[Gg], Zc[Gg], float(1.0 / safeDivisor(Sc[Gg])),
            C.QMin, C.QMax);
      Proxy[I] = E;
    };
    std::fill(Done.begin(), Done.end(), 0);
    // Every Stride-th candidate, then the neighbours of the best two.
    for (int64_t I = 0; I < NCand; I += Stride)
      Evaluate(I);
    if (Stride > 1) {
      std::vector<int64_t> Coarse;
      for (int64_t I = 0; I < NCand; I += Stride)
        Coarse.push_back(I);
      int64_t Keep = std::min<int64_t>(2, Coarse.size());
      std::partial_sort(Coarse.begin(), Coarse.begin() + Keep, Coarse.end(),
                        [&](int64_t A, int64_t B) {
                          return Proxy[A] < Proxy[B] ||
                                 (Proxy[A] == Proxy[B] && A < B);
                        });
      for (int64_t J = 0; J < Keep; ++J)
        for (int64_t I = std::max<int64_t>(0, Coarse[J] - Stride + 1);
             I < std::min(NCand, Coarse[J] + Stride); ++I)
          Evaluate(I);
    }
    Order.clear();
    for (int64_t I = 0; I < NCand; ++I)
      if (Done[I])
        Order.push_back(I);
    if (NExact < NCand)
      std::stable_sort(Order.begin(), Order.end(), [&](int64_t A, int64_t B) {
        return Proxy[A] < Proxy[B];
      });
    // With fewer candidates ranked than finalists wanted (a coarse grid of
    // a small ClipGrid), the best ranked ones repeat.
    for (int64_t J = 0; J < NExact; ++J)
      Ranked[Row * NExact + J] = Order[std::min<int64_t>(J, Order.size() - 1)];
  }

  // Exact scores of the ranked candidates, a batch of (row, candidate)
  // residuals per product so that H is streamed once per batch. float32:
  // the scores only rank candidates, whose errors differ by far more than
  // the ~1e-6 relative rounding, and it runs 2.5x faster than float64.
  const int64_t Batch = 256;
  int64_t Pairs = Rows * NExact;
  std::vector<double> Best(static_cast<size_t>(Rows), INFINITY);
  std::vector<int64_t> BestCand(static_cast<size_t>(Rows), 0);
  std::vector<float> R(size_t(std::min(Pairs, Batch) * K)), T(R.size());
  std::vector<double> E(size_t(std::min(Pairs, Batch)));
  std::vector<char> Finite(E.size());
  for (int64_t P0 = 0; P0 < Pairs; P0 += Batch) {
    int64_t Len = std::min(Batch, Pairs - P0);
    for (int64_t P = 0; P < Len; ++P) {
      int64_t Row = (P0 + P) / NExact, Cand = Ranked[P0 + P];
      const float *Sc = CandS.data() + (Row * NCand + Cand) * G;
      const float *Zc = CandZ.data() + (Row * NCand + Cand) * G;
      const double *Wr = W + Row * K;
      float *Rr = R.data() + P * K;
      Finite[P] = allFinite(Sc, Zc, G);
      if (!Finite[P]) {
        // Never chosen over a finite candidate (its E is +inf below); if
        // none is finite, the caller reports the overflow.
        std::fill_n(Rr, K, 0.0f);
        continue;
      }
      roundToNearest(C, Wr, Sc, Zc, Q.data());
      dequantizeRow(C, Q.data(), Sc, Zc, What.data());
      for (int64_t J = 0; J < K; ++J)
        Rr[J] = float(What[J] - Wr[J]);
    }
    residualErrorsF32(C, R.data(), Len, T.data(), E.data());
    for (int64_t P = 0; P < Len; ++P)
      if (!Finite[P])
        E[P] = INFINITY;
    for (int64_t P = 0; P < Len; ++P) {
      int64_t Row = (P0 + P) / NExact, Cand = Ranked[P0 + P];
      // Ties go to the larger p (smaller index): the min-max end.
      if (E[P] < Best[Row] || (E[P] == Best[Row] && Cand < BestCand[Row])) {
        Best[Row] = E[P];
        BestCand[Row] = Cand;
      }
    }
  }
  for (int64_t Row = 0; Row < Rows; ++Row) {
    std::copy_n(CandS.data() + (Row * NCand + BestCand[Row]) * G, G,
                S + Row * G);
    std::copy_n(CandZ.data() + (Row * NCand + BestCand[Row]) * G, G,
                Z + Row * G);
  }
}

} // namespace dq
