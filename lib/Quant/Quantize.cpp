//===- Quantize.cpp - One layer through the method registry --------------===//
//
// Validates, hands the layer to its method's solver (Method.h, one file per
// method: RtnMethod.cpp, GptqMethod.cpp, DecoupleQMethod.cpp), then measures
// the errors on the stored values, whatever the method.
//
//===----------------------------------------------------------------------===//

#include "dq/Quant/Quantize.h"
#include "LinAlg.h"
#include "dq/Quant/LayerRun.h"
#include "dq/Quant/Method.h"

#include "llvm/Support/FormatVariadic.h"

using namespace llvm;

namespace dq {

std::optional<std::string> describeThinCalibration(int64_t Tokens, int64_t K,
                                                   StringRef Method) {
  if (Tokens <= 0 || Tokens >= K || Method == "rtn")
    return std::nullopt;
  return formatv("calibrated on T = {0} tokens, fewer than its K = {1} "
                 "inputs: H has rank at most {0}, and {2} fits its integers "
                 "to that subspace, so on other inputs it can do worse than "
                 "round-to-nearest; calibrate on at least {1} tokens (or "
                 "quantize this layer with rtn)",
                 Tokens, K, Method)
      .str();
}

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
  StageClock Clock;
  const QuantMethodInfo *Method = lookupQuantMethod(Opts.Method);
  // The GPTQ factor's first Cholesky (at damp >= validation's 1e-6 floor)
  // proves what validation's own would.
  bool Factors = Method && Method->FactorsHessian && Opts.Damp >= 1e-6;
  if (Error E = validateQuantInputs(W, H, Opts, !Factors))
    return std::move(E);
  Clock.mark("validate");
  linalg::useSingleThreadedBlas();
  LayerRun Run(W, H, Opts, Clock);
  Clock.mark("context");
  Expected<unsigned> ItersRun = Method->Solve(Run);
  if (!ItersRun)
    return ItersRun.takeError();

  int64_t N = Run.N, K = Run.K, G = Run.G;
  QuantizedLayer Out;
  Out.Rows = N;
  Out.Cols = K;
  Out.GroupSize = Run.C.GroupSize;
  Out.NumGroups = G;
  Out.Bits = Opts.Bits;
  Out.Scale = Opts.Scale;
  Out.ItersRun = *ItersRun;

  // The reported errors: the method's own where exact, else measured
  // directly on the stored values. Read off a system, an error carries
  // float64 rounding relative to wᵀ(H + δI)w; with nothing to measure
  // against (every wᵀHw zero, e.g. H = 0) the direct product gives the exact
  // zeros.
  BestState &Best = Run.Best;
  std::vector<int64_t> Measure;
  for (int64_t R = 0; R < N; ++R)
    if (!Run.BestErrorsKept || !Best.ErrExact[R] || !(Run.TotalEnergy > 0))
      Measure.push_back(R);
  if (!Measure.empty()) {
    Run.forEachChunkOf(Measure, [&](const int64_t *Rs, int64_t Len) {
      std::vector<double> Wc(size_t(Len * K)), E(static_cast<size_t>(Len));
      std::vector<int8_t> Qc(size_t(Len * K));
      std::vector<float> Sc(size_t(Len * G)), Zc(size_t(Len * G));
      for (int64_t I = 0; I < Len; ++I) {
        std::copy_n(Run.Wd + Rs[I] * K, K, Wc.data() + I * K);
        std::copy_n(Best.Q.data() + Rs[I] * K, K, Qc.data() + I * K);
        std::copy_n(Best.S.data() + Rs[I] * G, G, Sc.data() + I * G);
        std::copy_n(Best.Z.data() + Rs[I] * G, G, Zc.data() + I * G);
      }
      computeErrors(Run.C, Wc.data(), Qc.data(), Sc.data(), Zc.data(), Len,
                    E.data());
      for (int64_t I = 0; I < Len; ++I)
        Best.Err[Rs[I]] = E[I];
    });
    Clock.mark(formatv("final errors ({0} rows)", Measure.size()).str());
  }
  Out.RowError = Best.Err;
  if (int64_t(Run.RowEnergy.size()) != N) // A method that never needed it.
    Run.computeEnergy(/*WithHW=*/false);
  Out.TotalEnergy = Run.TotalEnergy;
  Out.RowEnergy = std::move(Run.RowEnergy);
  for (double E : Out.RowError)
    Out.TotalError += E;
  Out.NormalizedError =
      Run.TotalEnergy > 0 ? Out.TotalError / Run.TotalEnergy : 0.0;
  Out.Q = std::move(Best.Q);
  Out.ScaleValues = std::move(Best.S);
  Out.OffsetValues = std::move(Best.Z);
  Run.report("done", Out.ItersRun, 0);
  Out.Profile = Clock.take();
  return std::move(Out);
}

} // namespace dq
