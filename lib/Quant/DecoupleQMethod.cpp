//===- DecoupleQMethod.cpp - The decoupleQ outer loop --------------------===//
//
// Alternates an integer step with (s, z) fixed and a closed-form float step
// with Q fixed, starting from the better of RTN and GPTQ; a row keeps a new
// candidate only when its error improved (docs/quantization.md).
//
//===----------------------------------------------------------------------===//

#include "dq/Quant/LayerRun.h"
#include "dq/Quant/Method.h"
#include "dq/Quant/Methods/DecoupleQ.h"

#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <optional>

using namespace llvm;

namespace dq {

static bool allFinite(const float *V, int64_t N) {
  return std::all_of(V, V + N, [](float X) { return std::isfinite(X); });
}

/// Relative accuracy of a float32 error estimate (computeErrorsF32, or
/// GPTQ's own): a candidate within it of the row's best gets an exact
/// float64 comparison.
constexpr double kEstimateSlack = 1e-4;

/// The undamped error from GPTQ's estimate of the damped one, Σ e_j² (see
/// gptqRound): less δ‖ŵ - w‖².
static double undampedEstimate(const LayerContext &C, double Damped,
                               const double *W, const int8_t *Q, const float *S,
                               const float *Z) {
  double Norm = 0;
  for (int64_t Gg = 0; Gg < C.NumGroups; ++Gg)
    for (int64_t I = Gg * C.GroupSize; I < (Gg + 1) * C.GroupSize; ++I) {
      double D = double(S[Gg]) * Q[I] + double(Z[Gg]) - W[I];
      Norm += D * D;
    }
  return std::max(0.0, Damped - C.Delta * Norm);
}

static Expected<unsigned> solveDecoupleQ(LayerRun &Run) {
  DecoupleQOptions D =
      getMethodOptions<DecoupleQOptions>(Run.Opts.MethodOptions);
  const QuantOptions &Opts = Run.Opts;
  Run.startGptqFactor();
  Run.computeEnergy(/*WithHW=*/true);
  if (Error E = Run.initScaleOffset(/*ClipSearch=*/false))
    return std::move(E);
  // The GPTQ factor (K³, on a thread of its own) is taken only when the
  // stages that do not need it are done: at K = 11008 it is not ready
  // before.
  std::optional<Expected<GptqFactor>> Factor;
  auto TakeFactor = [&]() -> Error {
    Factor.emplace(Run.takeGptqFactor());
    return *Factor ? Error::success() : Factor->takeError();
  };
  const LayerContext &C = Run.C;
  const double *Wd = Run.Wd;
  int64_t N = Run.N, K = Run.K, G = Run.G;
  BestState &Best = Run.Best;
  const std::vector<double> &HW = Run.HW;
  unsigned ItersRun = 1;

  auto IntStep = [&](const double *Wc, int64_t Len, const float *S,
                     const float *Z, int8_t *Q, double *Estimates) {
    switch (D.IntStep) {
    case IntStepKind::GPTQ:
      gptqRound(C, **Factor, Wc, Len, S, Z, Opts.BlockSize, Q, Estimates);
      break;
    case IntStepKind::PGD:
      pgdRound(C, Wc, Len, S, Z, D.Pgd, Q);
      break;
    case IntStepKind::FlexRound:
      flexRound(C, Wc, Len, S, Z, D.FlexRound, Q, Estimates);
      break;
    }
  };

  // Stage 1: min-max (s, z) with RTN integers. The RTN and GPTQ candidates
  // are only compared, never solved for: float32 errors (exact ones come
  // with the first system a row gets, or at the end).
  Run.forEachChunk([&](int64_t R0, int64_t Len) {
    for (int64_t R = R0; R < R0 + Len; ++R)
      roundToNearest(C, Wd + R * K, Best.S.data() + R * G,
                     Best.Z.data() + R * G, Best.Q.data() + R * K);
    computeErrorsF32(C, Wd + R0 * K, Best.Q.data() + R0 * K,
                     Best.S.data() + R0 * G, Best.Z.data() + R0 * G, Len,
                     Best.Err.data() + R0);
  });
  Run.Clock.mark("rtn");
  Run.report("rtn", 0, N);

  // The first iteration's clip candidates: clip-searched (s, z), RTN
  // integers, then one float step on them. They need no GPTQ factor, so
  // they are made now and compared after the GPTQ stage, in the
  // algorithm's order.
  std::vector<float> WorkS(Best.S), WorkZ(Best.Z);
  std::vector<int8_t> ClipQ;
  std::vector<double> ClipErr;
  if (D.Iters > 1) {
    ClipQ.resize(size_t(N * K));
    ClipErr.resize(static_cast<size_t>(N));
    Run.forEachChunk([&](int64_t R0, int64_t Len) {
      std::vector<LeastSquaresSystem> Sys;
      float *Sc = WorkS.data() + R0 * G, *Zc = WorkZ.data() + R0 * G;
      clipSearch(C, Wd + R0 * K, Len, Opts, Sc, Zc);
      for (int64_t R = R0; R < R0 + Len; ++R)
        roundToNearest(C, Wd + R * K, WorkS.data() + R * G,
                       WorkZ.data() + R * G, ClipQ.data() + R * K);
      buildLeastSquares(C, Wd + R0 * K, HW.data() + R0 * K,
                        ClipQ.data() + R0 * K, Len, Sys);
      std::vector<double> X(size_t(2 * G));
      std::vector<float> S1(static_cast<size_t>(G)), Z1(static_cast<size_t>(G));
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
        ClipErr[R] =
            systemError(C, Sy, Wd + R * K, ClipQ.data() + R * K, Sr, Zr);
      }
    });
    Run.Clock.mark("clip search");
  }
  if (Error E = TakeFactor())
    return std::move(E);
  // GPTQ rounding measures its own result's error with the damping of its
  // factor: when that is the objective's, it estimates the candidate's
  // error for free (gptqRound). FlexRound measures its integers with the
  // objective's damped H anyway (float64); PGD has no such estimate.
  bool FreeErrors = (*Factor)->DampUsed == Opts.Damp;
  bool IntStepEstimates = (FreeErrors && D.IntStep == IntStepKind::GPTQ) ||
                          D.IntStep == IntStepKind::FlexRound;

  // Stage 2: GPTQ rounding with the min-max (s, z); keep the better.
  std::vector<int8_t> NewQ(size_t(N * K));
  std::vector<char> Improved(static_cast<size_t>(N), 0);
  Run.forEachChunk([&](int64_t R0, int64_t Len) {
    std::vector<double> Errs(static_cast<size_t>(Len));
    gptqRound(C, **Factor, Wd + R0 * K, Len, Best.S.data() + R0 * G,
              Best.Z.data() + R0 * G, Opts.BlockSize, NewQ.data() + R0 * K,
              FreeErrors ? Errs.data() : nullptr);
    if (!FreeErrors)
      computeErrorsF32(C, Wd + R0 * K, NewQ.data() + R0 * K,
                       Best.S.data() + R0 * G, Best.Z.data() + R0 * G, Len,
                       Errs.data());
    for (int64_t R = R0; R < R0 + Len; ++R) {
      double E = FreeErrors ? undampedEstimate(C, Errs[R - R0], Wd + R * K,
                                               NewQ.data() + R * K,
                                               Best.S.data() + R * G,
                                               Best.Z.data() + R * G)
                            : Errs[R - R0];
      Improved[R] = E < Best.Err[R];
      if (Improved[R]) {
        Best.Err[R] = E;
        std::copy_n(NewQ.data() + R * K, K, Best.Q.data() + R * K);
      }
    }
  });
  Run.Clock.mark("gptq");
  Run.report("gptq", 0, std::count(Improved.begin(), Improved.end(), 1));

  // The working (s, z) of each iteration's integer step: the clip search's
  // in the first, each row's best later.
  // After the Iters - 1 alternations, up to RefineIters refinement rounds:
  // the same loop with integer coordinate descent from each row's best
  // integers (with its best (s, z)) as the integer step. Started from the
  // alternation's result and accepted per row only where better, they can
  // only lower it.
  std::vector<char> PrevImproved(static_cast<size_t>(N), 1);
  unsigned Last = D.Iters + (D.CdSweeps > 0 ? D.RefineIters : 0);
  for (unsigned Iter = 1; Iter < Last; ++Iter) {
    bool Refine = Iter >= D.Iters;
    // With refine-restart, every second round starts the descent from a
    // new integer step with the row's best (s, z) instead of its best Q.
    bool RestartHere = Refine && D.RefineRestart && (Iter - D.Iters) % 2 == 1;
    bool EstimatesHere = Refine || IntStepEstimates;
    std::fill(Improved.begin(), Improved.end(), 0);
    if (Iter == 1 && !Refine) {
      std::vector<char> ClipImproved(static_cast<size_t>(N), 0);
      for (int64_t R = 0; R < N; ++R) {
        if (!(ClipErr[R] < Best.Err[R]))
          continue;
        ClipImproved[R] = Improved[R] = 1;
        Best.Err[R] = ClipErr[R];
        Best.ErrExact[R] = 1;
        std::copy_n(ClipQ.data() + R * K, K, Best.Q.data() + R * K);
        std::copy_n(WorkS.data() + R * G, G, Best.S.data() + R * G);
        std::copy_n(WorkZ.data() + R * G, G, Best.Z.data() + R * G);
        Best.SolvedQ[R] = 1;
      }
      std::vector<int8_t>().swap(ClipQ);
      Run.Clock.mark("clip");
      Run.report("clip", Iter,
                 std::count(ClipImproved.begin(), ClipImproved.end(), 1));
    } else {
      WorkS = Best.S;
      WorkZ = Best.Z;
    }

    // Integer step with the working (s, z), then the float step on the
    // best integers; each accepted per row only if its error improved. From
    // the second iteration on, a row that improved in none of the previous
    // one's stages starts from the same (Q, s, z) as then, so its steps
    // would give the same rejected candidates again: only the rows that
    // improved are worked on (the result is the same as working on all).
    // The first refinement round is a new integer step for every row.
    std::vector<int64_t> Rows;
    for (int64_t R = 0; R < N; ++R)
      if (Iter == 1 || Iter == D.Iters || !D.SkipUnimproved ||
          PrevImproved[R] || (Refine && D.RefineRestart))
        Rows.push_back(R);
    std::vector<char> IntImproved(static_cast<size_t>(N), 0),
        FloatImproved(static_cast<size_t>(N), 0);
    // Errors after the integer step, for its own progress report.
    std::vector<double> AfterInt(Best.Err);
    // Chunks are gathered contiguously for the row-block steps and padded
    // with zero rows to a whole chunk: every product then has the same
    // shape whichever rows are skipped, and BLAS gives a row the same bits
    // in a product of the same shape.
    int64_t Pad = Run.RowChunk;
    auto Gather = [&](const int64_t *Rs, int64_t Len, const double *From,
                      int64_t Width, std::vector<double> &To) {
      To.assign(size_t(Pad * Width), 0.0);
      for (int64_t I = 0; I < Len; ++I)
        std::copy_n(From + Rs[I] * Width, Width, To.data() + I * Width);
    };

    // The integer step. A row's candidate needs an exact comparison, on a
    // system of its own, when it may beat the row's best: always without
    // an estimate of its error; with GPTQ's, when within its accuracy.
    std::vector<char> Candidate(static_cast<size_t>(N), 0);
    Run.forEachChunkOf(Rows, [&](const int64_t *Rs, int64_t Len) {
      std::vector<double> Wc;
      Gather(Rs, Len, Wd, K, Wc);
      std::vector<float> Sw(size_t(Pad * G)), Zw(size_t(Pad * G));
      for (int64_t I = 0; I < Len; ++I) {
        std::copy_n(WorkS.data() + Rs[I] * G, G, Sw.data() + I * G);
        std::copy_n(WorkZ.data() + Rs[I] * G, G, Zw.data() + I * G);
      }
      std::vector<int8_t> Qc(size_t(Pad * K));
      std::vector<double> Estimate(static_cast<size_t>(Pad));
      if (Refine) {
        if (RestartHere)
          IntStep(Wc.data(), Pad, Sw.data(), Zw.data(), Qc.data(), nullptr);
        else
          for (int64_t I = 0; I < Len; ++I)
            std::copy_n(Best.Q.data() + Rs[I] * K, K, Qc.data() + I * K);
        coordinateDescentRound(C, Wc.data(), Pad, Sw.data(), Zw.data(),
                               D.CdSweeps, Opts.BlockSize, Qc.data(),
                               Estimate.data());
      } else {
        IntStep(Wc.data(), Pad, Sw.data(), Zw.data(), Qc.data(),
                IntStepEstimates ? Estimate.data() : nullptr);
      }
      for (int64_t I = 0; I < Len; ++I) {
        int64_t R = Rs[I];
        std::copy_n(Qc.data() + I * K, K, NewQ.data() + R * K);
        Candidate[R] = !EstimatesHere ||
                       undampedEstimate(C, Estimate[I], Wc.data() + I * K,
                                        Qc.data() + I * K, Sw.data() + I * G,
                                        Zw.data() + I * G) <
                           Best.Err[R] * (1 + kEstimateSlack);
      }
    });

    // Systems: of the candidates, and of best integers never solved for.
    std::vector<int64_t> SysRows;
    for (int64_t R : Rows)
      if (Candidate[R] || !Best.SolvedQ[R])
        SysRows.push_back(R);
    Run.forEachChunkOf(SysRows, [&](const int64_t *Rs, int64_t Len) {
      std::vector<double> Wc, HWc;
      Gather(Rs, Len, Wd, K, Wc);
      Gather(Rs, Len, HW.data(), K, HWc);
      std::vector<int8_t> Qc(size_t(Pad * K));
      for (int64_t I = 0; I < Len; ++I)
        std::copy_n(Candidate[Rs[I]] ? NewQ.data() + Rs[I] * K
                                     : Best.Q.data() + Rs[I] * K,
                    K, Qc.data() + I * K);
      std::vector<LeastSquaresSystem> Sys, Old;
      buildLeastSquares(C, Wc.data(), HWc.data(), Qc.data(), Pad, Sys);
      bool NeedOld = false;
      for (int64_t I = 0; I < Len; ++I) {
        int64_t R = Rs[I];
        if (!Candidate[R])
          continue;
        double E = systemError(C, Sys[I], Wc.data() + I * K, Qc.data() + I * K,
                               WorkS.data() + R * G, WorkZ.data() + R * G);
        if (E < Best.Err[R]) {
          IntImproved[R] = Improved[R] = 1;
          Best.Err[R] = E;
          Best.ErrExact[R] = 1;
          std::copy_n(Qc.data() + I * K, K, Best.Q.data() + R * K);
          std::copy_n(WorkS.data() + R * G, G, Best.S.data() + R * G);
          std::copy_n(WorkZ.data() + R * G, G, Best.Z.data() + R * G);
          Best.SolvedQ[R] = 0;
        } else if (!Best.SolvedQ[R]) {
          NeedOld = true;
        }
        AfterInt[R] = Best.Err[R];
      }
      // A candidate rejected while the row's best integers were never
      // solved for: those need their own system after all.
      if (NeedOld) {
        for (int64_t I = 0; I < Len; ++I)
          std::copy_n(Best.Q.data() + Rs[I] * K, K, Qc.data() + I * K);
        buildLeastSquares(C, Wc.data(), HWc.data(), Qc.data(), Pad, Old);
      }

      // The float step on each row's best integers.
      std::vector<double> X(size_t(2 * G));
      std::vector<float> S1(static_cast<size_t>(G)), Z1(static_cast<size_t>(G));
      for (int64_t I = 0; I < Len; ++I) {
        int64_t R = Rs[I];
        if (Best.SolvedQ[R])
          continue; // Same Q, same solution as last time: no change.
        const LeastSquaresSystem &Sy =
            IntImproved[R] || !Candidate[R] ? Sys[I] : Old[I];
        Best.SolvedQ[R] = 1;
        if (!solveLeastSquares(Sy, X.data()))
          continue;
        for (int64_t Gg = 0; Gg < G; ++Gg) {
          S1[Gg] = roundToScaleType(X[Gg], C.Scale);
          Z1[Gg] = roundToScaleType(X[G + Gg], C.Scale);
        }
        if (!allFinite(S1.data(), G) || !allFinite(Z1.data(), G))
          continue;
        double E = systemError(C, Sy, Wc.data() + I * K, Best.Q.data() + R * K,
                               S1.data(), Z1.data());
        if (E < Best.Err[R]) {
          FloatImproved[R] = Improved[R] = 1;
          Best.Err[R] = E;
          Best.ErrExact[R] = 1;
          std::copy(S1.begin(), S1.end(), Best.S.begin() + R * G);
          std::copy(Z1.begin(), Z1.end(), Best.Z.begin() + R * G);
        }
      }
    });
    Run.Clock.mark(
        formatv("iteration {0} ({1} rows)", Iter, Rows.size()).str());
    Run.report(Refine ? "cd-step" : "int-step", Iter,
               std::count(IntImproved.begin(), IntImproved.end(), 1),
               &AfterInt);
    Run.report("float-step", Iter,
               std::count(FloatImproved.begin(), FloatImproved.end(), 1));
    PrevImproved = Improved;
    ++ItersRun;
    int64_t Count = std::count(Improved.begin(), Improved.end(), 1);
    if (double(Count) < D.EarlyStopFraction * double(N)) {
      // Converged: the alternation moves on to the refinement rounds.
      if (Refine || Last == D.Iters)
        break;
      Iter = D.Iters - 1;
    }
  }
  // Errors read off a system built for the row's stored (Q, s, z)
  // (systemError) are exact up to float64 rounding; the others are float32
  // estimates.
  Run.BestErrorsKept = true;
  return ItersRun;
}

StringRef getIntStepName(IntStepKind K) {
  switch (K) {
  case IntStepKind::GPTQ:
    return "gptq";
  case IntStepKind::PGD:
    return "pgd";
  case IntStepKind::FlexRound:
    return "flexround";
  }
  llvm_unreachable("unknown integer step");
}

std::optional<IntStepKind> parseIntStep(StringRef Name) {
  if (Name == "gptq")
    return IntStepKind::GPTQ;
  if (Name == "pgd")
    return IntStepKind::PGD;
  if (Name == "flexround")
    return IntStepKind::FlexRound;
  return std::nullopt;
}

static Error setDecoupleQOption(std::any &Config, StringRef Key,
                                StringRef Value) {
  DecoupleQOptions &D = getOrMakeMethodOptions<DecoupleQOptions>(Config);
  if (Key == "iters")
    return parseOptionValue(Key, Value, D.Iters);
  if (Key == "int-step") {
    std::optional<IntStepKind> Step = parseIntStep(Value);
    if (!Step)
      return createStringError(
          formatv("unknown int-step '{0}' (expected gptq, pgd, flexround)",
                  Value)
              .str());
    D.IntStep = *Step;
    return Error::success();
  }
  if (Key == "early-stop")
    return parseOptionValue(Key, Value, D.EarlyStopFraction);
  if (Key == "skip-unimproved")
    return parseOptionValue(Key, Value, D.SkipUnimproved);
  if (Key == "refine-iters")
    return parseOptionValue(Key, Value, D.RefineIters);
  if (Key == "refine-restart")
    return parseOptionValue(Key, Value, D.RefineRestart);
  if (Key == "cd-sweeps")
    return parseOptionValue(Key, Value, D.CdSweeps);
  if (Key == "pgd-steps")
    return parseOptionValue(Key, Value, D.Pgd.Steps);
  if (Key == "pgd-column-steps")
    return parseOptionValue(Key, Value, D.Pgd.ColumnSteps);
  if (Key == "pgd-lr")
    return parseOptionValue(Key, Value, D.Pgd.LearningRate);
  if (Key == "flexround-steps")
    return parseOptionValue(Key, Value, D.FlexRound.Steps);
  assert(Key == "flexround-lr" && "not one of decoupleq's options");
  return parseOptionValue(Key, Value, D.FlexRound.LearningRate);
}

static Error verifyDecoupleQ(const std::any &Config) {
  if (Error E = checkMethodOptionsType<DecoupleQOptions>(Config, "decoupleq"))
    return E;
  const DecoupleQOptions &D = getMethodOptions<DecoupleQOptions>(Config);
  if (D.Iters < 1)
    return createStringError("iters must be at least 1");
  if (!(D.FlexRound.LearningRate > 0) ||
      !std::isfinite(D.FlexRound.LearningRate))
    return createStringError(
        formatv("flexround-lr must be a positive number, not {0}",
                format("%g", D.FlexRound.LearningRate))
            .str());
  return Error::success();
}

void registerDecoupleQMethod() {
  QuantMethodInfo M;
  M.Name = "decoupleq";
  M.Description = "decoupleQ: alternating integer and closed-form "
                  "scale/offset steps from the better of RTN and GPTQ";
  M.Options = {
      {"iters", "outer iterations, the first being the RTN/GPTQ start "
                "(default 4)"},
      {"int-step", "integer step: gptq, pgd or flexround (default gptq)"},
      {"early-stop", "stop when fewer than this fraction of rows improved "
                     "(default 1e-4)"},
      {"skip-unimproved",
       "from the second iteration on, work only on rows that improved in "
       "the previous one; same result, faster (bool, default true)"},
      {"refine-iters", "refinement rounds after the alternation: integer "
                       "coordinate descent from each row's best, then the "
                       "float step (default 1)"},
      {"refine-restart",
       "refinement: every second round starts the descent from a new "
       "integer step with the row's best (s, z) (bool, default false)"},
      {"cd-sweeps", "refinement: coordinate-descent passes over the columns "
                    "per round, 0 = no refinement (default 2)"},
      {"pgd-steps", "PGD: Adam steps on all columns (default 20)"},
      {"pgd-column-steps", "PGD: Adam steps per snapped column (default 1)"},
      {"pgd-lr", "PGD: Adam learning rate (default 1e-3)"},
      {"flexround-steps",
       "FlexRound: Adam steps on the log-divisors (default 100)"},
      {"flexround-lr", "FlexRound: Adam learning rate, > 0 (default 5e-3)"},
  };
  M.SetOption = setDecoupleQOption;
  M.Verify = verifyDecoupleQ;
  M.FactorsHessian = true;
  M.Solve = solveDecoupleQ;
  registerQuantMethod(std::move(M));
}

} // namespace dq
