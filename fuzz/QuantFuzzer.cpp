//===- QuantFuzzer.cpp - Fuzz the quantization engine ---------------------===//
//
// Decodes a small layer from the input: shapes (N <= 8, K <= 16), weight
// values drawn from ordinary numbers and specials (NaN, ±Inf, ±0, denormals,
// 1e±300, the f16/bf16 limits), zero rows, a Hessian that is XᵀX of a few
// rows (rank-deficient when there are fewer rows than K), a raw symmetric or
// asymmetric matrix, zero, diagonal or rank one, and every user-facing option
// including invalid ones. quantizeLayer must return a result or an
// llvm::Error, never crash; a result must be well formed and the same for
// one and two threads.
//
//===----------------------------------------------------------------------===//

#include "FuzzCheck.h"

#include "dq/Calibration/Hessian.h"
#include "dq/Quant/Method.h"
#include "dq/Quant/Methods/DecoupleQ.h"
#include "dq/Quant/Methods/Gptq.h"
#include "dq/Quant/Methods/Rtn.h"
#include "dq/Quant/Quantize.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

using namespace dq;

namespace {

double pickValue(FuzzedDataProvider &P) {
  static const double Specials[] = {
      0.0,
      -0.0,
      1.0,
      -1.0,
      0.5,
      std::numeric_limits<double>::quiet_NaN(),
      std::numeric_limits<double>::infinity(),
      -std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::denorm_min(),
      std::numeric_limits<double>::min(),
      1e-300,
      1e300,
      -1e300,
      65504.0, // Largest f16.
      65520.0, // Rounds to f16 infinity.
      6.0e-8,  // Smallest f16 denormal.
      3.4e38,  // Near the largest f32 / bf16.
      -3.4e38,
      1e-20,
      1e20,
      std::numeric_limits<float>::max(),
      std::numeric_limits<double>::max(),
  };
  constexpr unsigned NumSpecials = sizeof(Specials) / sizeof(Specials[0]);
  uint8_t Kind = P.ConsumeIntegral<uint8_t>();
  if (Kind < 48)
    return Specials[Kind % NumSpecials];
  if (Kind < 64)
    return P.ConsumeFloatingPoint<double>();
  // Mostly ordinary weights: multiples of 1/64 in [-8, 8).
  return double(P.ConsumeIntegral<int16_t>() % 512) / 64.0;
}

template <typename T, size_t N> T pick(FuzzedDataProvider &P, const T (&A)[N]) {
  return A[P.ConsumeIntegralInRange<size_t>(0, N - 1)];
}

enum class HessianKind { Gram, Symmetric, Raw, Zero, Diagonal, RankOne };

/// The Hessian, or nothing when the accumulator refused the rows (which is
/// the error path of HessianAccumulator, exercised here too).
std::optional<Matrix> makeHessian(FuzzedDataProvider &P, int64_t K) {
  auto Kind = HessianKind(P.ConsumeIntegralInRange<int>(0, 5));
  Matrix H(K, K);
  switch (Kind) {
  case HessianKind::Gram: {
    int64_t T = P.ConsumeIntegralInRange<int64_t>(1, 2 * K);
    std::vector<double> X(size_t(T * K));
    for (double &V : X)
      V = pickValue(P);
    HessianAccumulator Acc(K);
    if (llvm::Error E = Acc.addBatch(X, T)) {
      llvm::consumeError(std::move(E));
      return std::nullopt;
    }
    llvm::Expected<Matrix> Result = Acc.getHessian();
    DQ_FUZZ_CHECK(static_cast<bool>(Result), "no Hessian after a batch");
    return std::move(*Result);
  }
  case HessianKind::Symmetric:
    for (int64_t I = 0; I < K; ++I)
      for (int64_t J = I; J < K; ++J)
        H(I, J) = H(J, I) = pickValue(P);
    return H;
  case HessianKind::Raw:
    for (double &V : H.Data)
      V = pickValue(P);
    return H;
  case HessianKind::Zero:
    return H;
  case HessianKind::Diagonal:
    for (int64_t I = 0; I < K; ++I)
      H(I, I) = pickValue(P);
    return H;
  case HessianKind::RankOne: {
    std::vector<double> V(static_cast<size_t>(K));
    for (double &X : V)
      X = pickValue(P);
    for (int64_t I = 0; I < K; ++I)
      for (int64_t J = 0; J < K; ++J)
        H(I, J) = V[I] * V[J];
    return H;
  }
  }
  return std::nullopt;
}

QuantOptions makeOptions(FuzzedDataProvider &P, int64_t K) {
  QuantOptions O;
  O.Method = pick<const char *>(P, {"rtn", "gptq", "decoupleq", "decoupleq"});
  DecoupleQOptions D;
  D.IntStep =
      pick(P, {IntStepKind::GPTQ, IntStepKind::PGD, IntStepKind::FlexRound});
  O.Scale = pick(P, {ScaleType::F16, ScaleType::BF16, ScaleType::F32});
  // Mostly supported widths, sometimes anything.
  O.Bits = P.ConsumeBool() ? pick(P, {2u, 3u, 4u, 8u})
                           : P.ConsumeIntegral<uint8_t>();
  int64_t Divisors[4] = {1, K, K, K};
  for (int64_t D = 2, I = 1; D < K && I < 4; ++D)
    if (K % D == 0)
      Divisors[I++] = D;
  switch (P.ConsumeIntegralInRange<int>(0, 5)) {
  case 0:
    O.GroupSize = -1;
    break;
  case 1:
  case 2:
    O.GroupSize = pick(P, Divisors);
    break;
  case 3:
    O.GroupSize = pick(P, {int64_t(0), int64_t(-2), K + 1, 2 * K});
    break;
  default:
    O.GroupSize = P.ConsumeIntegral<int64_t>();
  }
  D.Iters = pick(P, {1u, 2u, 3u, 0u});
  O.Damp = pick(P, {0.01, 0.01, 0.0, 1e-12, 1.0, 1e300, -1.0,
                    std::numeric_limits<double>::quiet_NaN(),
                    std::numeric_limits<double>::infinity()});
  O.ClipGrid = pick(P, {1u, 5u, 20u});
  O.ClipMaxShrink = pick(P, {0.8, 1.0, 0.01});
  O.ClipExactCandidates = pick(P, {0u, 1u, 4u});
  bool ClipInit = P.ConsumeBool();
  O.BlockSize = pick(P, {1u, 3u, 128u});
  D.EarlyStopFraction = pick(P, {1e-4, 0.0, 1.0});
  D.Pgd.Steps = pick(P, {0u, 1u, 3u});
  D.Pgd.ColumnSteps = pick(P, {0u, 1u, 2u});
  D.FlexRound.Steps = pick(P, {0u, 1u, 5u});
  D.RefineIters = pick(P, {1u, 0u, 2u});
  D.CdSweeps = pick(P, {2u, 0u, 1u});
  D.RefineRestart = P.ConsumeBool();
  O.Threads = P.ConsumeBool() ? 2 : 1;
  if (O.Method == "rtn")
    O.MethodOptions = RtnOptions{ClipInit};
  else if (O.Method == "gptq")
    O.MethodOptions = GptqOptions{ClipInit};
  else
    O.MethodOptions = D;
  return O;
}

bool sameBits(const QuantizedLayer &A, const QuantizedLayer &B) {
  auto SameFloats = [](const std::vector<float> &X,
                       const std::vector<float> &Y) {
    return X.size() == Y.size() &&
           std::memcmp(X.data(), Y.data(), X.size() * sizeof(float)) == 0;
  };
  return A.Q == B.Q && SameFloats(A.ScaleValues, B.ScaleValues) &&
         SameFloats(A.OffsetValues, B.OffsetValues) && A.ItersRun == B.ItersRun;
}

/// With DQ_FUZZ_QUANT_PRINT set (when replaying one input), prints the
/// decoded case so that a finding can be turned into a unit test.
void printCase(const Matrix &W, const Matrix &H, const QuantOptions &O) {
  if (!std::getenv("DQ_FUZZ_QUANT_PRINT"))
    return;
  auto PrintMatrix = [](const char *Name, const Matrix &M) {
    std::fprintf(stderr, "%s [%lld, %lld]:\n", Name, (long long)M.Rows,
                 (long long)M.Cols);
    for (int64_t R = 0; R < M.Rows; ++R) {
      for (int64_t C = 0; C < M.Cols; ++C)
        std::fprintf(stderr, " %.17g", M(R, C));
      std::fprintf(stderr, "\n");
    }
  };
  DecoupleQOptions D = getMethodOptions<DecoupleQOptions>(O.MethodOptions);
  bool ClipInit = O.Method == "rtn"
                      ? getMethodOptions<RtnOptions>(O.MethodOptions).ClipInit
                      : getMethodOptions<GptqOptions>(O.MethodOptions).ClipInit;
  std::fprintf(
      stderr,
      "method %s int-step %s scale %s bits %u group %lld iters %u "
      "damp %g clip-grid %u max-shrink %g exact %u baselines-clip "
      "%d block %u early-stop %g pgd %u/%u flexround %u refine %u/%u%s "
      "threads %u\n",
      O.Method.c_str(), getIntStepName(D.IntStep).str().c_str(),
      getScaleTypeName(O.Scale).str().c_str(), O.Bits, (long long)O.GroupSize,
      D.Iters, O.Damp, O.ClipGrid, O.ClipMaxShrink, O.ClipExactCandidates,
      ClipInit, O.BlockSize, D.EarlyStopFraction, D.Pgd.Steps,
      D.Pgd.ColumnSteps, D.FlexRound.Steps, D.RefineIters, D.CdSweeps,
      D.RefineRestart ? " restart" : "", O.Threads);
  PrintMatrix("W", W);
  PrintMatrix("H", H);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  FuzzedDataProvider P(Data, Size);
  int64_t N = P.ConsumeIntegralInRange<int64_t>(1, 8);
  int64_t K = pick(P, {int64_t(1), int64_t(2), int64_t(3), int64_t(4),
                       int64_t(6), int64_t(8), int64_t(12), int64_t(16)});
  QuantOptions Opts = makeOptions(P, K);
  Matrix W(N, K);
  for (int64_t R = 0; R < N; ++R) {
    switch (P.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: // A dead row.
      break;
    case 1: { // A constant row.
      double V = pickValue(P);
      for (int64_t C = 0; C < K; ++C)
        W(R, C) = V;
      break;
    }
    default:
      for (int64_t C = 0; C < K; ++C)
        W(R, C) = pickValue(P);
    }
  }
  std::optional<Matrix> H = makeHessian(P, K);
  if (!H)
    return 0;

  printCase(W, *H, Opts);
  llvm::Expected<QuantizedLayer> L = quantizeLayer(W, *H, Opts);
  if (!L) {
    std::string Msg = llvm::toString(L.takeError());
    DQ_FUZZ_CHECK(!Msg.empty(), "an error without a message");
    return 0;
  }

  DQ_FUZZ_CHECK(L->Rows == N && L->Cols == K, "result has the wrong shape");
  DQ_FUZZ_CHECK(L->GroupSize > 0 && K % L->GroupSize == 0 &&
                    L->NumGroups == K / L->GroupSize,
                "result has an inconsistent group size");
  DQ_FUZZ_CHECK(L->Q.size() == size_t(N * K), "Q has the wrong size");
  DQ_FUZZ_CHECK(L->ScaleValues.size() == size_t(N * L->NumGroups) &&
                    L->OffsetValues.size() == size_t(N * L->NumGroups),
                "scale/offset have the wrong size");
  int Lo = -(1 << (Opts.Bits - 1)), Hi = (1 << (Opts.Bits - 1)) - 1;
  for (int8_t Q : L->Q)
    DQ_FUZZ_CHECK(Q >= Lo && Q <= Hi, "Q out of the bit width's range");
  for (size_t I = 0; I < L->ScaleValues.size(); ++I)
    DQ_FUZZ_CHECK(std::isfinite(L->ScaleValues[I]) &&
                      std::isfinite(L->OffsetValues[I]),
                  "a returned scale or offset is not finite");
  DQ_FUZZ_CHECK(L->RowError.size() == size_t(N), "RowError has the wrong size");
  // decoupleQ's outer iterations plus its refinement rounds.
  const auto &D = getMethodOptions<DecoupleQOptions>(Opts.MethodOptions);
  unsigned Rounds = D.CdSweeps ? D.RefineIters : 0;
  DQ_FUZZ_CHECK(L->ItersRun >= 1 &&
                    L->ItersRun <= std::max(1u, D.Iters) + Rounds,
                "ItersRun out of range");

  // The same bits with the other thread count.
  QuantOptions Other = Opts;
  Other.Threads = Opts.Threads == 1 ? 2 : 1;
  llvm::Expected<QuantizedLayer> L2 = quantizeLayer(W, *H, Other);
  DQ_FUZZ_CHECK(static_cast<bool>(L2), "fails with the other thread count");
  DQ_FUZZ_CHECK(sameBits(*L, *L2), "results differ between 1 and 2 threads");
  return 0;
}
