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

using namespace llvm;

namespace dq {

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
  const QuantMethodInfo *Method = lookupQuantMethod(Opts.Method);
  linalg::useSingleThreadedBlas();
  LayerRun Run(W, H, Opts);
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

  // The reported errors: the method's own when exact, else measured
  // directly on the stored values. Read off a system, an error carries
  // float64 rounding relative to wᵀ(H + δI)w; with nothing to measure
  // against (every wᵀHw zero, e.g. H = 0) the direct product gives the exact
  // zeros.
  BestState &Best = Run.Best;
  if (Run.BestErrorsExact && Run.TotalEnergy > 0) {
    Out.RowError = Best.Err;
  } else {
    Out.RowError.assign(static_cast<size_t>(N), 0.0);
    Run.forEachChunk([&](int64_t R0, int64_t Len) {
      computeErrors(Run.C, Run.Wd + R0 * K, Best.Q.data() + R0 * K,
                    Best.S.data() + R0 * G, Best.Z.data() + R0 * G, Len,
                    Out.RowError.data() + R0);
    });
    Best.Err = Out.RowError;
  }
  Out.TotalEnergy = Run.TotalEnergy;
  for (double E : Out.RowError)
    Out.TotalError += E;
  Out.NormalizedError =
      Run.TotalEnergy > 0 ? Out.TotalError / Run.TotalEnergy : 0.0;
  Out.Q = std::move(Best.Q);
  Out.ScaleValues = std::move(Best.S);
  Out.OffsetValues = std::move(Best.Z);
  Run.report("done", Out.ItersRun, 0);
  return std::move(Out);
}

} // namespace dq
