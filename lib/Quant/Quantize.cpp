//===- Quantize.cpp - RTN, GPTQ and the decoupleQ outer loop -------------===//
//
// Rows are independent given H, so every stage runs over fixed chunks of
// kRowChunk rows, in parallel when Threads > 1. A chunk's arithmetic (its
// GEMMs included: BLAS is single-threaded) does not depend on which thread
// runs it, and totals are summed in row order afterwards, so the result is
// bit-identical for any thread count.
//
//===----------------------------------------------------------------------===//

#include "dq/Quant/Quantize.h"
#include "LinAlg.h"
#include "dq/Quant/Steps.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"

#include <algorithm>
#include <cmath>
#include <memory>

using namespace llvm;

namespace dq {

namespace {

/// Rows per work item: large enough that each GEMM streams H once for many
/// rows, small enough to balance two threads on a 384-row layer.
constexpr int64_t kRowChunk = 64;

/// Runs Fn(FirstRow, NumRows) over all chunks of N rows.
class ChunkRunner {
public:
  ChunkRunner(int64_t N, unsigned Threads) : N(N) {
    if (Threads > 1 && N > kRowChunk)
      Pool = std::make_unique<DefaultThreadPool>(hardware_concurrency(Threads));
  }
  template <typename Fn> void run(Fn &&F) {
    for (int64_t R0 = 0; R0 < N; R0 += kRowChunk) {
      int64_t Len = std::min(kRowChunk, N - R0);
      if (Pool)
        Pool->async([&F, R0, Len] { F(R0, Len); });
      else
        F(R0, Len);
    }
    if (Pool)
      Pool->wait();
  }

private:
  int64_t N;
  std::unique_ptr<DefaultThreadPool> Pool;
};

/// The best candidate of every row so far.
struct BestState {
  std::vector<int8_t> Q;
  std::vector<float> S, Z;
  std::vector<double> Err;
  /// Whether the least-squares step has been solved for the row's current Q.
  std::vector<char> SolvedQ;
};

bool allFinite(const float *V, int64_t N) {
  return std::all_of(V, V + N, [](float X) { return std::isfinite(X); });
}

} // namespace

Matrix QuantizedLayer::dequantize() const {
  Matrix Out(Rows, Cols);
  for (int64_t R = 0; R < Rows; ++R)
    for (int64_t K = 0; K < Cols; ++K) {
      int64_t G = R * NumGroups + K / GroupSize;
      Out(R, K) = double(ScaleValues[G]) * Q[R * Cols + K] + OffsetValues[G];
    }
  return Out;
}

std::vector<double> computeRowErrors(const Matrix &W, const Matrix &What,
                                     const Matrix &H) {
  linalg::useSingleThreadedBlas();
  int64_t N = W.Rows, K = W.Cols;
  Matrix R(N, K), T(N, K);
  for (size_t I = 0; I < R.Data.size(); ++I)
    R.Data[I] = What.Data[I] - W.Data[I];
  linalg::gemm(false, false, N, K, K, 1.0, R.Data.data(), K, H.Data.data(), K,
               0.0, T.Data.data(), K);
  std::vector<double> E(static_cast<size_t>(N), 0.0);
  for (int64_t Row = 0; Row < N; ++Row)
    for (int64_t I = 0; I < K; ++I)
      E[Row] += R(Row, I) * T(Row, I);
  return E;
}

Expected<QuantizedLayer> quantizeLayer(const Matrix &W, const Matrix &H,
                                       const QuantOptions &Opts) {
  if (Error E = validateQuantInputs(W, H, Opts))
    return std::move(E);
  linalg::useSingleThreadedBlas();
  int64_t N = W.Rows, K = W.Cols;
  LayerContext C = makeLayerContext(H, Opts, K);
  int64_t G = C.NumGroups;
  ChunkRunner Runner(N, Opts.Threads);
  const double *Wd = W.Data.data();

  // Σ wᵀHw (undamped): the error of ŵ = 0.
  std::vector<double> Energy(static_cast<size_t>(N));
  {
    std::vector<int8_t> Zq(size_t(N * K), 0);
    std::vector<float> Zs(size_t(N * G), 0.0f);
    Runner.run([&](int64_t R0, int64_t Len) {
      computeErrors(C, Wd + R0 * K, Zq.data() + R0 * K, Zs.data() + R0 * G,
                    Zs.data() + R0 * G, Len, Energy.data() + R0);
    });
  }
  double TotalEnergy = 0;
  for (double E : Energy)
    TotalEnergy += E;

  BestState Best;
  Best.Q.assign(size_t(N * K), 0);
  Best.S.assign(size_t(N * G), 0.0f);
  Best.Z.assign(size_t(N * G), 0.0f);
  Best.Err.assign(static_cast<size_t>(N), 0.0);
  Best.SolvedQ.assign(static_cast<size_t>(N), 0);

  auto NormalizedError = [&] {
    double Sum = 0;
    for (double E : Best.Err)
      Sum += E;
    return TotalEnergy > 0 ? Sum / TotalEnergy : 0.0;
  };
  auto Report = [&](StringRef Stage, unsigned Iter, int64_t Improved) {
    if (!Opts.Progress)
      return;
    QuantProgress P;
    P.Layer = Opts.LayerName;
    P.Stage = Stage;
    P.Iteration = Iter;
    P.RowsImproved = Improved;
    P.Rows = N;
    P.NormalizedError = NormalizedError();
    Opts.Progress(P);
  };

  // Initial (s, z): min-max, or the clip search for the baselines.
  bool ClipInit =
      Opts.ClipForBaselines && Opts.Method != QuantMethod::DecoupleQ;
  Runner.run([&](int64_t R0, int64_t Len) {
    if (ClipInit) {
      clipSearch(C, Wd + R0 * K, Len, Opts, Best.S.data() + R0 * G,
                 Best.Z.data() + R0 * G);
    } else {
      for (int64_t R = R0; R < R0 + Len; ++R)
        minMaxScaleOffset(C, Wd + R * K, 1.0, Best.S.data() + R * G,
                          Best.Z.data() + R * G);
    }
  });
  for (int64_t I = 0; I < N * G; ++I)
    if (!std::isfinite(Best.S[I]) || !std::isfinite(Best.Z[I]))
      return createStringError(
          formatv("row {0}, group {1}: min-max scale/offset overflow {2}; use "
                  "a wider scale type (f32)",
                  I / G, I % G, getScaleTypeName(Opts.Scale))
              .str());

  Expected<GptqFactor> Factor = GptqFactor();
  if (Opts.Method != QuantMethod::RTN) {
    Matrix Hs(K, K);
    for (int64_t I = 0; I < K; ++I)
      for (int64_t J = 0; J < K; ++J)
        Hs(I, J) = 0.5 * (H(I, J) + H(J, I));
    Factor = makeGptqFactor(Hs, Opts.Damp);
    if (!Factor)
      return Factor.takeError();
  }

  QuantizedLayer Out;
  Out.Rows = N;
  Out.Cols = K;
  Out.GroupSize = C.GroupSize;
  Out.NumGroups = G;
  Out.Bits = Opts.Bits;
  Out.Scale = Opts.Scale;
  Out.ItersRun = 1;

  if (Opts.Method == QuantMethod::RTN || Opts.Method == QuantMethod::GPTQ) {
    Runner.run([&](int64_t R0, int64_t Len) {
      if (Opts.Method == QuantMethod::RTN)
        for (int64_t R = R0; R < R0 + Len; ++R)
          roundToNearest(C, Wd + R * K, Best.S.data() + R * G,
                         Best.Z.data() + R * G, Best.Q.data() + R * K);
      else
        gptqRound(C, *Factor, Wd + R0 * K, Len, Best.S.data() + R0 * G,
                  Best.Z.data() + R0 * G, Opts.BlockSize,
                  Best.Q.data() + R0 * K);
    });
  } else {
    // W·H (damped), the right-hand sides of every least-squares system.
    std::vector<double> HW(size_t(N * K));
    Runner.run([&](int64_t R0, int64_t Len) {
      linalg::gemm(false, false, Len, K, K, 1.0, Wd + R0 * K, K,
                   C.HDamped.Data.data(), K, 0.0, HW.data() + R0 * K, K);
    });

    auto IntStep = [&](const double *Wc, int64_t Len, const float *S,
                       const float *Z, int8_t *Q) {
      if (Opts.IntStep == IntStepKind::GPTQ)
        gptqRound(C, *Factor, Wc, Len, S, Z, Opts.BlockSize, Q);
      else
        pgdRound(C, Wc, Len, S, Z, Opts, Q);
    };

    // Stage 1: min-max (s, z) with RTN integers.
    Runner.run([&](int64_t R0, int64_t Len) {
      std::vector<LeastSquaresSystem> Sys;
      for (int64_t R = R0; R < R0 + Len; ++R)
        roundToNearest(C, Wd + R * K, Best.S.data() + R * G,
                       Best.Z.data() + R * G, Best.Q.data() + R * K);
      buildLeastSquares(C, Wd + R0 * K, HW.data() + R0 * K,
                        Best.Q.data() + R0 * K, Len, Sys);
      for (int64_t R = R0; R < R0 + Len; ++R)
        Best.Err[R] =
            systemError(C, Sys[R - R0], Wd + R * K, Best.Q.data() + R * K,
                        Best.S.data() + R * G, Best.Z.data() + R * G);
    });
    Report("rtn", 0, N);

    // Stage 2: GPTQ rounding with the min-max (s, z); keep the better.
    std::vector<int8_t> NewQ(size_t(N * K));
    std::vector<char> Improved(static_cast<size_t>(N), 0);
    Runner.run([&](int64_t R0, int64_t Len) {
      std::vector<LeastSquaresSystem> Sys;
      gptqRound(C, *Factor, Wd + R0 * K, Len, Best.S.data() + R0 * G,
                Best.Z.data() + R0 * G, Opts.BlockSize, NewQ.data() + R0 * K);
      buildLeastSquares(C, Wd + R0 * K, HW.data() + R0 * K,
                        NewQ.data() + R0 * K, Len, Sys);
      for (int64_t R = R0; R < R0 + Len; ++R) {
        double E = systemError(C, Sys[R - R0], Wd + R * K, NewQ.data() + R * K,
                               Best.S.data() + R * G, Best.Z.data() + R * G);
        Improved[R] = E < Best.Err[R];
        if (Improved[R]) {
          Best.Err[R] = E;
          std::copy_n(NewQ.data() + R * K, K, Best.Q.data() + R * K);
        }
      }
    });
    Report("gptq", 0, std::count(Improved.begin(), Improved.end(), 1));

    // Working (s, z) for the integer step of each iteration.
    std::vector<float> WorkS(Best.S), WorkZ(Best.Z);
    for (unsigned Iter = 1; Iter < Opts.Iters; ++Iter) {
      std::fill(Improved.begin(), Improved.end(), 0);
      if (Iter == 1) {
        // Clip-searched (s, z), RTN integers, then one float step on them.
        std::vector<char> ClipImproved(static_cast<size_t>(N), 0);
        Runner.run([&](int64_t R0, int64_t Len) {
          std::vector<LeastSquaresSystem> Sys;
          float *Sc = WorkS.data() + R0 * G, *Zc = WorkZ.data() + R0 * G;
          clipSearch(C, Wd + R0 * K, Len, Opts, Sc, Zc);
          for (int64_t R = R0; R < R0 + Len; ++R)
            roundToNearest(C, Wd + R * K, WorkS.data() + R * G,
                           WorkZ.data() + R * G, NewQ.data() + R * K);
          buildLeastSquares(C, Wd + R0 * K, HW.data() + R0 * K,
                            NewQ.data() + R0 * K, Len, Sys);
          std::vector<double> X(size_t(2 * G));
          std::vector<float> S1(static_cast<size_t>(G)),
              Z1(static_cast<size_t>(G));
          for (int64_t R = R0; R < R0 + Len; ++R) {
            const LeastSquaresSystem &Sy = Sys[R - R0];
            float *Sr = WorkS.data() + R * G, *Zr = WorkZ.data() + R * G;
            if (solveLeastSquares(Sy, X.data())) {
              for (int64_t Gg = 0; Gg < G; ++Gg) {
                S1[Gg] = roundToScaleType(X[Gg], C.Scale);
                Z1[Gg] = roundToScaleType(X[G + Gg], C.Scale);
              }
              if (allFinite(S1.data(), G) && allFinite(Z1.data(), G)) {
                std::copy(S1.begin(), S1.end(), Sr);
                std::copy(Z1.begin(), Z1.end(), Zr);
              }
            }
            double E =
                systemError(C, Sy, Wd + R * K, NewQ.data() + R * K, Sr, Zr);
            if (E < Best.Err[R]) {
              ClipImproved[R] = Improved[R] = 1;
              Best.Err[R] = E;
              std::copy_n(NewQ.data() + R * K, K, Best.Q.data() + R * K);
              std::copy_n(Sr, G, Best.S.data() + R * G);
              std::copy_n(Zr, G, Best.Z.data() + R * G);
              Best.SolvedQ[R] = 1;
            }
          }
        });
        Report("clip", Iter,
               std::count(ClipImproved.begin(), ClipImproved.end(), 1));
      } else {
        WorkS = Best.S;
        WorkZ = Best.Z;
      }

      // Integer step with the working (s, z), then the float step on the
      // best integers; each accepted per row only if its error improved.
      std::vector<char> IntImproved(static_cast<size_t>(N), 0),
          FloatImproved(static_cast<size_t>(N), 0);
      Runner.run([&](int64_t R0, int64_t Len) {
        std::vector<LeastSquaresSystem> Sys, Old;
        const float *Sw = WorkS.data() + R0 * G, *Zw = WorkZ.data() + R0 * G;
        IntStep(Wd + R0 * K, Len, Sw, Zw, NewQ.data() + R0 * K);
        buildLeastSquares(C, Wd + R0 * K, HW.data() + R0 * K,
                          NewQ.data() + R0 * K, Len, Sys);
        bool NeedOld = false;
        for (int64_t R = R0; R < R0 + Len; ++R) {
          double E =
              systemError(C, Sys[R - R0], Wd + R * K, NewQ.data() + R * K,
                          WorkS.data() + R * G, WorkZ.data() + R * G);
          if (E < Best.Err[R]) {
            IntImproved[R] = Improved[R] = 1;
            Best.Err[R] = E;
            std::copy_n(NewQ.data() + R * K, K, Best.Q.data() + R * K);
            std::copy_n(WorkS.data() + R * G, G, Best.S.data() + R * G);
            std::copy_n(WorkZ.data() + R * G, G, Best.Z.data() + R * G);
            Best.SolvedQ[R] = 0;
          } else if (!Best.SolvedQ[R]) {
            NeedOld = true;
          }
        }
        // Rows that kept integers never solved for need their own system.
        if (NeedOld)
          buildLeastSquares(C, Wd + R0 * K, HW.data() + R0 * K,
                            Best.Q.data() + R0 * K, Len, Old);
        std::vector<double> X(size_t(2 * G));
        std::vector<float> S1(static_cast<size_t>(G)),
            Z1(static_cast<size_t>(G));
        for (int64_t R = R0; R < R0 + Len; ++R) {
          if (Best.SolvedQ[R])
            continue; // Same Q, same solution as last time: no change.
          const LeastSquaresSystem &Sy =
              IntImproved[R] ? Sys[R - R0] : Old[R - R0];
          Best.SolvedQ[R] = 1;
          if (!solveLeastSquares(Sy, X.data()))
            continue;
          for (int64_t Gg = 0; Gg < G; ++Gg) {
            S1[Gg] = roundToScaleType(X[Gg], C.Scale);
            Z1[Gg] = roundToScaleType(X[G + Gg], C.Scale);
          }
          if (!allFinite(S1.data(), G) || !allFinite(Z1.data(), G))
            continue;
          double E = systemError(C, Sy, Wd + R * K, Best.Q.data() + R * K,
                                 S1.data(), Z1.data());
          if (E < Best.Err[R]) {
            FloatImproved[R] = Improved[R] = 1;
            Best.Err[R] = E;
            std::copy(S1.begin(), S1.end(), Best.S.begin() + R * G);
            std::copy(Z1.begin(), Z1.end(), Best.Z.begin() + R * G);
          }
        }
      });
      Report("int-step", Iter,
             std::count(IntImproved.begin(), IntImproved.end(), 1));
      Report("float-step", Iter,
             std::count(FloatImproved.begin(), FloatImproved.end(), 1));
      Out.ItersRun = Iter + 1;
      int64_t Count = std::count(Improved.begin(), Improved.end(), 1);
      if (double(Count) < Opts.EarlyStopFraction * double(N))
        break;
    }
  }

  // The reported errors, measured directly on the stored values.
  Out.RowError.assign(static_cast<size_t>(N), 0.0);
  Runner.run([&](int64_t R0, int64_t Len) {
    computeErrors(C, Wd + R0 * K, Best.Q.data() + R0 * K,
                  Best.S.data() + R0 * G, Best.Z.data() + R0 * G, Len,
                  Out.RowError.data() + R0);
  });
  Best.Err = Out.RowError;
  Out.TotalEnergy = TotalEnergy;
  for (double E : Out.RowError)
    Out.TotalError += E;
  Out.NormalizedError = TotalEnergy > 0 ? Out.TotalError / TotalEnergy : 0.0;
  Out.Q = std::move(Best.Q);
  Out.ScaleValues = std::move(Best.S);
  Out.OffsetValues = std::move(Best.Z);
  Report("done", Out.ItersRun, 0);
  return std::move(Out);
}

} // namespace dq
