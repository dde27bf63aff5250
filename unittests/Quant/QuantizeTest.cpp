//===- QuantizeTest.cpp - quantizeLayer end to end -----------------------===//

#include "dq/Quant/Quantize.h"
#include "QuantTestUtil.h"
#include "dq/Quant/Methods/DecoupleQ.h"
#include "dq/Quant/Methods/Gptq.h"
#include "dq/Quant/Methods/Rtn.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>

using namespace dq;
using namespace dq::test;
using namespace llvm;

namespace {

QuantizedLayer quantizeOrDie(const Matrix &W, const Matrix &H,
                             const QuantOptions &O) {
  Expected<QuantizedLayer> L = quantizeLayer(W, H, O);
  if (!L) {
    ADD_FAILURE() << toString(L.takeError());
    return QuantizedLayer();
  }
  return std::move(*L);
}

/// Checks the invariants every result has: integer range, storage-exact
/// scale/offset, and errors equal to an independent float64 evaluation of
/// the dequantized weights with the undamped H.
void checkResult(const QuantizedLayer &L, const Matrix &W, const Matrix &H,
                 const QuantOptions &O) {
  ASSERT_EQ(L.Q.size(), size_t(W.Rows * W.Cols));
  int QMin = -(1 << (O.Bits - 1)), QMax = (1 << (O.Bits - 1)) - 1;
  for (int8_t Q : L.Q) {
    ASSERT_GE(Q, QMin);
    ASSERT_LE(Q, QMax);
  }
  for (size_t I = 0; I < L.ScaleValues.size(); ++I) {
    ASSERT_EQ(L.ScaleValues[I], apRound(L.ScaleValues[I], O.Scale));
    ASSERT_EQ(L.OffsetValues[I], apRound(L.OffsetValues[I], O.Scale));
  }
  std::vector<double> Want = referenceRowErrors(W, L.dequantize(), H);
  double Energy = sum(referenceRowErrors(W, Matrix(W.Rows, W.Cols), H));
  // The library evaluates rᵀ(H+δI)r - δ‖r‖² with BLAS, the reference sums
  // rᵀHr in plain loops: both float64, agreeing to ~K·1e-16 of the larger
  // term, so 1e-9 of the row's scale (its energy share) is generous.
  for (int64_t R = 0; R < W.Rows; ++R)
    EXPECT_NEAR(L.RowError[R], Want[R], 1e-9 * Energy / double(W.Rows) + 1e-300)
        << "row " << R;
  EXPECT_NEAR(L.NormalizedError, sum(Want) / Energy, 1e-9);
  // The public scorer agrees with the plain loops too.
  std::vector<double> Scored = computeRowErrors(W, L.dequantize(), H);
  for (int64_t R = 0; R < W.Rows; ++R)
    EXPECT_NEAR(Scored[R], Want[R], 1e-9 * Energy / double(W.Rows) + 1e-300);
}

//===----------------------------------------------------------------------===//
// RTN is min-max exactly
//===----------------------------------------------------------------------===//

TEST(Quantize, RtnReproducesMinMaxExactly) {
  for (ScaleType T : {ScaleType::F16, ScaleType::BF16, ScaleType::F32})
    for (unsigned Bits : {2u, 3u, 4u, 8u}) {
      int64_t N = 9, K = 32, Gs = 8;
      QuantOptions O;
      O.Method = "rtn";
      O.Bits = Bits;
      O.GroupSize = Gs;
      O.Scale = T;
      Matrix W = randomWeights(N, K, 100 + Bits);
      // A group of one sign only: the range must still include 0.
      for (int64_t I = 0; I < Gs; ++I)
        W(0, I) = std::fabs(W(0, I)) + 0.01;
      Matrix H = randomHessian(K, 64, 200 + Bits);
      QuantizedLayer L = quantizeOrDie(W, H, O);
      checkResult(L, W, H, O);
      int QMin = -(1 << (Bits - 1)), QMax = (1 << (Bits - 1)) - 1;
      for (int64_t R = 0; R < N; ++R)
        for (int64_t G = 0; G < K / Gs; ++G) {
          double Lo = 0, Hi = 0;
          for (int64_t I = G * Gs; I < (G + 1) * Gs; ++I) {
            Lo = std::min(Lo, W(R, I));
            Hi = std::max(Hi, W(R, I));
          }
          double S = (Hi - Lo) / double((1 << Bits) - 1);
          float Ss = apRound(S, T), Zs = apRound(Lo - S * QMin, T);
          ASSERT_EQ(L.ScaleValues[R * 4 + G], Ss);
          ASSERT_EQ(L.OffsetValues[R * 4 + G], Zs);
          for (int64_t I = G * Gs; I < (G + 1) * Gs; ++I) {
            double Q = std::floor((W(R, I) - Zs) / Ss + 0.5);
            Q = std::min(std::max(Q, double(QMin)), double(QMax));
            ASSERT_EQ(L.Q[R * K + I], int8_t(Q)) << "row " << R << " col " << I;
          }
        }
    }
}

//===----------------------------------------------------------------------===//
// decoupleQ: monotone, never worse than its RTN/GPTQ starting points
//===----------------------------------------------------------------------===//

TEST(Quantize, DecoupleQLossNeverIncreases) {
  for (unsigned Bits : {2u, 3u}) {
    int64_t N = 40, K = 64;
    QuantOptions O;
    O.Bits = Bits;
    O.GroupSize = 16;
    DecoupleQOptions D;
    D.Iters = 6;
    D.EarlyStopFraction = 0; // run every iteration
    D.RefineIters = 3;
    O.MethodOptions = D;
    std::vector<double> Trace;
    std::vector<std::string> Stages;
    O.Progress = [&](const QuantProgress &P) {
      Trace.push_back(P.NormalizedError);
      Stages.push_back(P.Stage.str());
    };
    Matrix W = randomWeights(N, K, 300 + Bits);
    Matrix H = randomHessian(K, 96, 310 + Bits);
    QuantizedLayer L = quantizeOrDie(W, H, O);
    checkResult(L, W, H, O);
    // rtn, gptq, clip, then (int-step, float-step) per iteration, then
    // (cd-step, float-step) per refinement round, done.
    ASSERT_EQ(Trace.size(), 2u + 1u + 2u * 5u + 2u * 3u + 1u);
    EXPECT_EQ(Stages[2u + 1u + 2u * 5u], "cd-step");
    EXPECT_EQ(Stages.front(), "rtn");
    EXPECT_EQ(Stages.back(), "done");
    for (size_t I = 1; I < Trace.size(); ++I)
      EXPECT_LE(Trace[I], Trace[I - 1] * (1 + 1e-12))
          << "stage " << Stages[I] << " raised the loss";
    EXPECT_LT(Trace.back(), Trace.front()) << "no improvement over RTN";

    QuantOptions G = O;
    G.Method = "gptq";
    G.MethodOptions.reset();
    G.Progress = nullptr;
    QuantOptions R = G;
    R.Method = "rtn";
    QuantizedLayer Lg = quantizeOrDie(W, H, G), Lr = quantizeOrDie(W, H, R);
    checkResult(Lg, W, H, G);
    // decoupleQ keeps per row the better of RTN/GPTQ and only improves on
    // it; the GPTQ method equals its GPTQ candidate.
    for (int64_t Row = 0; Row < N; ++Row)
      EXPECT_LE(L.RowError[Row],
                std::min(Lg.RowError[Row], Lr.RowError[Row]) * (1 + 1e-9))
          << "row " << Row;
    EXPECT_LT(L.NormalizedError, Lg.NormalizedError);
    EXPECT_LT(Lg.NormalizedError, Lr.NormalizedError);
  }
}

TEST(Quantize, PgdIntegerStepIsMonotoneToo) {
  int64_t N = 10, K = 16;
  QuantOptions O;
  O.Bits = 2;
  O.GroupSize = 8;
  DecoupleQOptions D;
  D.IntStep = IntStepKind::PGD;
  O.MethodOptions = D;
  std::vector<double> Trace;
  O.Progress = [&](const QuantProgress &P) {
    Trace.push_back(P.NormalizedError);
  };
  Matrix W = randomWeights(N, K, 401);
  Matrix H = randomHessian(K, 32, 402);
  QuantizedLayer L = quantizeOrDie(W, H, O);
  checkResult(L, W, H, O);
  ASSERT_GE(Trace.size(), 4u);
  for (size_t I = 1; I < Trace.size(); ++I)
    EXPECT_LE(Trace[I], Trace[I - 1] * (1 + 1e-12));
}

TEST(Quantize, FlexRoundIntegerStepIsMonotoneAndBeatsItsStart) {
  for (unsigned Bits : {2u, 4u}) {
    int64_t N = 24, K = 32;
    QuantOptions O;
    O.Bits = Bits;
    O.GroupSize = 16;
    DecoupleQOptions D;
    D.IntStep = IntStepKind::FlexRound;
    D.FlexRound.Steps = 40;
    O.MethodOptions = D;
    std::vector<double> Trace;
    O.Progress = [&](const QuantProgress &P) {
      Trace.push_back(P.NormalizedError);
    };
    Matrix W = randomWeights(N, K, 403 + Bits);
    Matrix H = randomHessian(K, 64, 404 + Bits);
    QuantizedLayer L = quantizeOrDie(W, H, O);
    checkResult(L, W, H, O);
    ASSERT_GE(Trace.size(), 4u);
    for (size_t I = 1; I < Trace.size(); ++I)
      EXPECT_LE(Trace[I], Trace[I - 1] * (1 + 1e-12));
    // Never worse than the RTN candidate, row by row.
    QuantOptions R;
    R.Method = "rtn";
    R.Bits = Bits;
    R.GroupSize = 16;
    QuantizedLayer Lr = quantizeOrDie(W, H, R);
    for (int64_t Row = 0; Row < N; ++Row)
      EXPECT_LE(L.RowError[Row], Lr.RowError[Row] * (1 + 1e-9))
          << "row " << Row;
    EXPECT_LT(L.NormalizedError, Lr.NormalizedError);
  }
}

TEST(Quantize, RefinementOnlyLowersTheAlternationsResult) {
  // The default decoupleQ (refinement rounds of integer coordinate descent
  // after the alternation) starts its refinement from the plain
  // alternation's result (cd-sweeps=0, the reference's loop) and accepts per
  // row only what is better: never worse on any row, and by a wide margin
  // better in total on correlated H (measured gains are printed).
  for (unsigned Bits : {2u, 3u}) {
    int64_t N = 64, K = 96;
    Matrix W = randomWeights(N, K, 451 + Bits);
    Matrix H = randomHessian(K, 192, 452 + Bits);
    QuantOptions O;
    O.Bits = Bits;
    O.GroupSize = 32;
    DecoupleQOptions D;
    EXPECT_EQ(D.CdSweeps, 2u); // the defaults
    EXPECT_EQ(D.RefineIters, 1u);
    O.MethodOptions = D;
    QuantizedLayer Def = quantizeOrDie(W, H, O);
    checkResult(Def, W, H, O);
    D.CdSweeps = 0;
    O.MethodOptions = D;
    QuantizedLayer None = quantizeOrDie(W, H, O);
    D.CdSweeps = 8;
    D.RefineIters = 8;
    D.RefineRestart = true;
    O.MethodOptions = D;
    QuantizedLayer More = quantizeOrDie(W, H, O);
    checkResult(More, W, H, O);
    std::printf("bits %u: no refinement %.5g, default %.5g, 8 rounds of 8 "
                "passes with restarts %.5g\n",
                Bits, None.NormalizedError, Def.NormalizedError,
                More.NormalizedError);
    for (int64_t Row = 0; Row < N; ++Row) {
      EXPECT_LE(Def.RowError[Row], None.RowError[Row] * (1 + 1e-9))
          << "row " << Row;
      EXPECT_LE(More.RowError[Row], None.RowError[Row] * (1 + 1e-9))
          << "row " << Row;
    }
    EXPECT_LT(Def.NormalizedError, 0.97 * None.NormalizedError);
    EXPECT_GT(Def.ItersRun, None.ItersRun);
  }
}

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

TEST(Quantize, OneAndTwoThreadsGiveIdenticalBits) {
  int64_t N = 200, K = 48; // four row chunks
  Matrix W = randomWeights(N, K, 501);
  Matrix H = randomHessian(K, 80, 502);
  for (std::string M : {"rtn", "gptq", "decoupleq", "flexround", "restart"}) {
    QuantOptions O;
    O.Method = M == "flexround" || M == "restart" ? "decoupleq" : M;
    O.Bits = 2;
    O.GroupSize = 16;
    if (M == "rtn")
      O.MethodOptions = RtnOptions{/*ClipInit=*/true};
    else if (M == "gptq")
      O.MethodOptions = GptqOptions{/*ClipInit=*/true};
    if (M == "flexround") {
      DecoupleQOptions D;
      D.IntStep = IntStepKind::FlexRound;
      D.FlexRound.Steps = 30;
      O.MethodOptions = D;
    }
    if (M == "restart") {
      DecoupleQOptions D;
      D.RefineIters = 4;
      D.RefineRestart = true;
      O.MethodOptions = D;
    }
    O.Threads = 1;
    QuantizedLayer A = quantizeOrDie(W, H, O);
    O.Threads = 2;
    QuantizedLayer B = quantizeOrDie(W, H, O);
    EXPECT_EQ(A.Q, B.Q) << M;
    ASSERT_EQ(A.ScaleValues.size(), B.ScaleValues.size());
    EXPECT_EQ(0, std::memcmp(A.ScaleValues.data(), B.ScaleValues.data(),
                             A.ScaleValues.size() * sizeof(float)));
    EXPECT_EQ(0, std::memcmp(A.OffsetValues.data(), B.OffsetValues.data(),
                             A.OffsetValues.size() * sizeof(float)));
    EXPECT_EQ(0, std::memcmp(A.RowError.data(), B.RowError.data(),
                             A.RowError.size() * sizeof(double)));
    EXPECT_EQ(A.ItersRun, B.ItersRun);
  }
}

TEST(Quantize, SkippingUnimprovedRowsChangesNothing) {
  // Rows that improved in no stage of an iteration are left out of the
  // next; working on every row must give the same bits.
  // With FlexRound (3 bits), a row's integer step must not depend on which
  // rows share its chunk either.
  for (unsigned Bits : {2u, 3u}) {
    int64_t N = 150, K = 64; // a partial last chunk
    Matrix W = randomWeights(N, K, 511 + Bits);
    Matrix H = randomHessian(K, 96, 512 + Bits);
    QuantOptions O;
    O.Bits = Bits;
    O.GroupSize = 16;
    O.Threads = 2;
    DecoupleQOptions D;
    if (Bits == 3) {
      D.IntStep = IntStepKind::FlexRound;
      D.FlexRound.Steps = 20;
    }
    D.Iters = 8;
    D.EarlyStopFraction = 0;
    D.SkipUnimproved = false;
    O.MethodOptions = D;
    int64_t FewestImproved = N;
    O.Progress = [&](const QuantProgress &P) {
      if (P.Iteration >= 2 && P.Stage == "int-step")
        FewestImproved = std::min(FewestImproved, P.RowsImproved);
    };
    QuantizedLayer All = quantizeOrDie(W, H, O);
    // Otherwise nothing would have been skipped.
    EXPECT_LT(FewestImproved, N / 2);
    D.SkipUnimproved = true;
    O.MethodOptions = D;
    QuantizedLayer Skip = quantizeOrDie(W, H, O);
    EXPECT_EQ(All.Q, Skip.Q);
    EXPECT_EQ(0, std::memcmp(All.ScaleValues.data(), Skip.ScaleValues.data(),
                             All.ScaleValues.size() * sizeof(float)));
    EXPECT_EQ(0, std::memcmp(All.OffsetValues.data(), Skip.OffsetValues.data(),
                             All.OffsetValues.size() * sizeof(float)));
    EXPECT_EQ(0, std::memcmp(All.RowError.data(), Skip.RowError.data(),
                             All.RowError.size() * sizeof(double)));
    EXPECT_EQ(All.ItersRun, Skip.ItersRun);
  }
}

//===----------------------------------------------------------------------===//
// Bit widths, group sizes, storage types
//===----------------------------------------------------------------------===//

TEST(Quantize, EveryBitWidthGroupAndScaleType) {
  int64_t N = 12, K = 48;
  Matrix W = randomWeights(N, K, 601);
  Matrix H = randomHessian(K, 96, 602);
  for (unsigned Bits : {2u, 3u, 4u, 8u}) {
    double Prev = INFINITY;
    for (int64_t Group : {-1ll, 48ll, 24ll, 12ll, 6ll, 3ll}) {
      for (ScaleType T : {ScaleType::F16, ScaleType::BF16, ScaleType::F32}) {
        QuantOptions O;
        O.Bits = Bits;
        O.GroupSize = Group;
        O.Scale = T;
        DecoupleQOptions D;
        D.Iters = 2;
        O.MethodOptions = D;
        QuantizedLayer L = quantizeOrDie(W, H, O);
        checkResult(L, W, H, O);
        EXPECT_EQ(L.GroupSize, Group == -1 ? K : Group);
        EXPECT_EQ(L.NumGroups, K / L.GroupSize);
        QuantOptions R = O;
        R.Method = "rtn";
        R.MethodOptions.reset();
        QuantizedLayer Lr = quantizeOrDie(W, H, R);
        EXPECT_LE(L.NormalizedError, Lr.NormalizedError * (1 + 1e-9));
        if (T == ScaleType::F32 && Group != 48) {
          // Nested smaller groups can fit better (finer (s, z) at f32); the
          // heuristic is not guaranteed to, hence 5% slack.
          EXPECT_LT(L.NormalizedError, Prev * 1.05) << Bits << "/" << Group;
          Prev = L.NormalizedError;
        }
      }
    }
    std::printf("bits %u: decoupleQ g3 error %.3g\n", Bits, Prev);
  }
  // More bits, less error (per-channel, f32).
  double Last = INFINITY;
  for (unsigned Bits : {2u, 3u, 4u, 8u}) {
    QuantOptions O;
    O.Bits = Bits;
    O.Scale = ScaleType::F32;
    double E = quantizeOrDie(W, H, O).NormalizedError;
    EXPECT_LT(E, Last);
    Last = E;
  }
  EXPECT_LT(Last, 1e-3); // 8 bits per-channel on heavy tails
}

//===----------------------------------------------------------------------===//
// Degenerate inputs
//===----------------------------------------------------------------------===//

TEST(Quantize, AllZeroRowsDeadColumnsAndRankDeficientH) {
  int64_t N = 10, K = 32;
  Matrix W = randomWeights(N, K, 701);
  for (int64_t I = 0; I < K; ++I)
    W(3, I) = 0.0; // an all-zero row
  // Rank-deficient H from 6 samples, with columns 5 and 17 dead.
  Matrix H = randomHessian(K, 6, 702);
  for (int64_t Dead : {5, 17})
    for (int64_t I = 0; I < K; ++I)
      H(Dead, I) = H(I, Dead) = 0.0;
  for (std::string M : {"rtn", "gptq", "decoupleq"}) {
    QuantOptions O;
    O.Method = M;
    O.Bits = 2;
    O.GroupSize = 8;
    QuantizedLayer L = quantizeOrDie(W, H, O);
    checkResult(L, W, H, O);
    // decoupleQ's least squares fits the zero row exactly (z = 0).
    if (M == "decoupleq") {
      EXPECT_LT(L.RowError[3], 1e-12 * L.TotalEnergy);
    }
    for (float S : L.ScaleValues)
      EXPECT_TRUE(std::isfinite(S));
  }
  // All of H zero: every error is 0, nothing may blow up.
  Matrix Z(K, K);
  QuantOptions O;
  QuantizedLayer L = quantizeOrDie(W, Z, O);
  EXPECT_EQ(L.NormalizedError, 0.0);
  EXPECT_EQ(L.TotalError, 0.0);
}

TEST(Quantize, AllZeroRowIsExact) {
  // Min-max of an all-zero group uses [-1, 1]; at 2 bits the grid
  // {-1, -1/3, 1/3, 1} has no 0, so exactness needs the float offset.
  int64_t K = 16;
  Matrix W(2, K);
  for (int64_t I = 0; I < K; ++I)
    W(1, I) = 0.01 * double(I % 5) - 0.02;
  Matrix H = randomHessian(K, 40, 801);
  QuantOptions O;
  O.Bits = 2;
  O.GroupSize = 8;
  QuantizedLayer L = quantizeOrDie(W, H, O);
  checkResult(L, W, H, O);
  QuantOptions R = O;
  R.Method = "rtn";
  QuantizedLayer Lr = quantizeOrDie(W, H, R);
  // RTN keeps the min-max grid; decoupleQ's least squares moves z to 0.
  EXPECT_GT(Lr.RowError[0], 0.0);
  EXPECT_LT(L.RowError[0], 1e-6 * Lr.RowError[0]);
}

} // namespace
