//===- Validate.cpp - Checks of the quantizer's inputs and options -------===//

#include "LinAlg.h"
#include "dq/Quant/Method.h"
#include "dq/Quant/Quantize.h"
#include "dq/Quant/Steps.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace dq {

static Error fail(const Twine &Msg) { return createStringError(Msg.str()); }

/// %g: "0.5", "-1", "nan", "inf" (formatv would print "0.50", "INF").
static std::string num(double V) { return formatv("{0}", format("%g", V)); }

static Error checkFinite(const Matrix &M, StringRef What) {
  for (int64_t I = 0; I < M.Rows; ++I)
    for (int64_t J = 0; J < M.Cols; ++J)
      if (!std::isfinite(M(I, J)))
        return fail(formatv("{0} has a non-finite value ({1}) at [{2}, {3}]",
                            What, num(M(I, J)), I, J));
  return Error::success();
}

Error validateQuantInputs(const Matrix &W, const Matrix &H,
                          const QuantOptions &Opts, bool CheckFactorisation) {
  if (Opts.Bits != 2 && Opts.Bits != 3 && Opts.Bits != 4 && Opts.Bits != 8)
    return fail(
        formatv("unsupported bit width {0}: expected 2, 3, 4 or 8", Opts.Bits));
  if (W.Rows <= 0 || W.Cols <= 0 || W.Data.size() != size_t(W.Rows * W.Cols))
    return fail(formatv("weight must be a non-empty [N, K] matrix, got "
                        "[{0}, {1}] with {2} values",
                        W.Rows, W.Cols, W.Data.size()));
  int64_t K = W.Cols;
  if (H.Rows != K || H.Cols != K || H.Data.size() != size_t(K * K))
    return fail(formatv("hessian has shape [{0}, {1}] but the weight [{2}, "
                        "{3}] needs [{3}, {3}]",
                        H.Rows, H.Cols, W.Rows, K));
  if (Opts.GroupSize == 0 || Opts.GroupSize < -1)
    return fail(formatv("invalid group size {0}: expected a divisor of K = "
                        "{1}, or -1 for one group per row",
                        Opts.GroupSize, K));
  if (Opts.GroupSize > 0 && K % Opts.GroupSize != 0)
    return fail(
        formatv("group size {0} does not divide K = {1}", Opts.GroupSize, K));
  const QuantMethodInfo *Method = lookupQuantMethod(Opts.Method);
  if (!Method)
    return makeUnknownMethodError(Opts.Method);
  if (Method->Verify)
    if (Error E = Method->Verify(Opts.MethodOptions))
      return E;
  if (!std::isfinite(Opts.Damp) || Opts.Damp < 0)
    return fail(
        formatv("damp must be a finite value >= 0, got {0}", num(Opts.Damp)));
  if (Opts.ClipGrid < 1 || !(Opts.ClipMaxShrink > 0 && Opts.ClipMaxShrink <= 1))
    return fail(formatv("clip grid {0} / max shrink {1}: expected a grid >= 1 "
                        "and a max shrink in (0, 1]",
                        Opts.ClipGrid, num(Opts.ClipMaxShrink)));
  if (Opts.ClipRankStride < 1)
    return fail("clip rank stride must be at least 1");
  if (Opts.Threads < 1)
    return fail("threads must be at least 1");
  if (Opts.BlockSize < 1)
    return fail("GPTQ block size must be at least 1");

  if (Error E = checkFinite(W, "weight"))
    return E;
  if (Error E = checkFinite(H, "hessian"))
    return E;

  double Scale = 0;
  for (double V : H.Data)
    Scale = std::max(Scale, std::fabs(V));
  // XᵀX accumulated in float32 is symmetric only up to rounding.
  const double Tol = 1e-5;
  for (int64_t I = 0; I < K; ++I) {
    if (H(I, I) < 0)
      return fail(formatv("hessian is not positive semi-definite: diagonal "
                          "H[{0}, {0}] = {1} is negative",
                          I, num(H(I, I))));
    for (int64_t J = I + 1; J < K; ++J) {
      if (std::fabs(H(I, J) - H(J, I)) > Tol * Scale)
        return fail(formatv("hessian is not symmetric: H[{0}, {1}] = {2} but "
                            "H[{1}, {0}] = {3} (tolerance {4} = 1e-5 * "
                            "max |H|)",
                            I, J, num(H(I, J)), num(H(J, I)),
                            num(Tol * Scale)));
    }
  }
  for (int64_t I = 0; I < K; ++I)
    for (int64_t J = I + 1; J < K; ++J) {
      double Hij = 0.5 * (H(I, J) + H(J, I));
      double Bound = std::sqrt(H(I, I) * H(J, J));
      if (std::fabs(Hij) > Bound + Tol * Scale)
        return fail(formatv("hessian is not positive semi-definite: |H[{0}, "
                            "{1}]| = {2} exceeds sqrt(H[{0}, {0}] * H[{1}, "
                            "{1}]) = {3}",
                            I, J, num(std::fabs(Hij)), num(Bound)));
    }

  if (!CheckFactorisation)
    return Error::success();
  // Positive semi-definite up to the damping the optimisation adds.
  double MeanDiag = 0;
  for (int64_t I = 0; I < K; ++I)
    MeanDiag += H(I, I);
  MeanDiag /= double(K);
  double Shift = std::max(Opts.Damp, 1e-6) * (MeanDiag > 0 ? MeanDiag : 1.0);
  std::vector<double> A(size_t(K * K));
  for (int64_t I = 0; I < K; ++I)
    for (int64_t J = 0; J < K; ++J)
      A[I * K + J] = 0.5 * (H(I, J) + H(J, I)) + (I == J ? Shift : 0.0);
  linalg::useSingleThreadedBlas();
  if (!linalg::choleskyUpper(A.data(), K))
    return makeNotPSDError(Shift);
  return Error::success();
}

Error makeNotPSDError(double Shift) {
  return fail(formatv("hessian is not positive semi-definite: H + {0} * I "
                      "(the damping) has no Cholesky factorisation",
                      num(Shift)));
}

} // namespace dq
