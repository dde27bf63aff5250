//===- Steps.h - Building blocks of the quantizer ---------------*- C++ -*-===//
//
// The pieces quantizeLayer() is made of, exposed so that tests can check
// each against an independent reference on tiny problems: storage rounding,
// min-max (s, z), round-to-nearest, the clip grid search, the closed-form
// least-squares (s, z) step, the GPTQ, PGD and FlexRound integer steps, and
// the exact H-weighted error. All of them work on a block of consecutive rows
// of W (row-major, K columns) and never depend on how rows are split between
// threads.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_QUANT_STEPS_H
#define DQ_QUANT_STEPS_H

#include "dq/Quant/Matrix.h"
#include "dq/Quant/Quantize.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace dq {

/// clamp(floor(X + 0.5), Lo, Hi) with integer bounds: the rounding rule of
/// the algorithm (ties toward +inf). Clamping before the floor gives the
/// same result (floor is monotone and keeps integers) and lets the floor be
/// a truncation, where std::floor is a libm call on baseline x86-64. A NaN
/// (from a non-finite scale or offset, which callers reject afterwards)
/// gives Lo: converting it to int would be undefined.
inline int roundAndClamp(double X, int Lo, int Hi) {
  double V = X + 0.5;
  V = V >= Lo ? (V > Hi ? double(Hi) : V) : double(Lo);
  int T = int(V);
  return T - (double(T) > V);
}

/// y with its magnitude kept away from 0 (sign(0) = +1): the safe divisor.
inline double safeDivisor(double Y) {
  double A = Y < 0 ? -Y : Y;
  A = A < 1e-15 ? 1e-15 : A;
  return Y < 0 ? -A : A;
}

/// Nearest value of type T (ties to even), as a float. Out-of-range values
/// become ±inf, which callers reject.
float roundToScaleType(double V, ScaleType T);

/// What every step of one layer shares, built once from H and the options.
struct LayerContext {
  int64_t K = 0, GroupSize = 0, NumGroups = 0;
  unsigned Bits = 0;
  int QMin = 0, QMax = 0;
  ScaleType Scale = ScaleType::F16;
  /// The damping added to the diagonal: λ·mean(diag H) (λ when diag H is 0).
  double Delta = 0;
  /// Symmetrised H + Delta·I, K x K, and a float32 copy (clip scoring).
  Matrix HDamped;
  std::vector<float> HDampedF32;
  /// HE[i, h] = Σ_{j in group h} HDamped[i, j], K x G; EHE = Eᵀ·HDamped·E,
  /// G x G (row-independent blocks of the least-squares system).
  Matrix HE, EHE;
};

/// Builds the context (H must already be validated).
LayerContext makeLayerContext(const Matrix &H, const QuantOptions &Opts,
                              int64_t K);

/// Group-wise min-max (s, z) of one row with lo and hi scaled by Shrink
/// (1 = plain min-max), rounded to the storage type. S and Z: G values.
void minMaxScaleOffset(const LayerContext &C, const double *W, double Shrink,
                       float *S, float *Z);

/// Q = clamp(floor((w - z) / s + 0.5)) for one row, safe division.
void roundToNearest(const LayerContext &C, const double *W, const float *S,
                    const float *Z, int8_t *Q);

/// ŵ = s·Q + z for one row.
void dequantizeRow(const LayerContext &C, const int8_t *Q, const float *S,
                   const float *Z, double *What);

/// Exact errors of Rows rows: (ŵ - w)ᵀ H (ŵ - w) with the undamped H,
/// computed as rᵀ(H + δI)r - δ‖r‖².
void computeErrors(const LayerContext &C, const double *W, const int8_t *Q,
                   const float *S, const float *Z, int64_t Rows,
                   double *Errors);

/// computeErrors in float32 (residuals rounded to float32, a triangular
/// product with H): relative error ~1e-6, 2-3x faster. For choosing between
/// candidates; reported errors come from computeErrors or the systems.
void computeErrorsF32(const LayerContext &C, const double *W, const int8_t *Q,
                      const float *S, const float *Z, int64_t Rows,
                      double *Errors);

/// Clip grid search: per row, the shrink factor whose min-max (s, z) and RTN
/// integers give the smallest error. Candidates are ranked by the
/// diagonal-H error; the best ExactCandidates of them (all when 0) are then
/// scored exactly. Writes the winner's (s, z).
void clipSearch(const LayerContext &C, const double *W, int64_t Rows,
                const QuantOptions &Opts, float *S, float *Z);

/// The least-squares system of one row for (s, z) with Q fixed:
/// [AᵀHA AᵀHE; EᵀHA EᵀHE] [s; z] = [AᵀHw; EᵀHw], H damped, 2G x 2G.
struct LeastSquaresSystem {
  int64_t Dim = 0;
  /// Row-major Dim x Dim, then the right-hand side.
  std::vector<double> M, B;
  /// wᵀ H w (damped) and ‖w‖² (to undo the damping in errors).
  double WHW = 0, WW = 0;
};

/// Builds the systems of Rows rows directly from H in O(K²) per row (no
/// rows x G x K tensor). HW holds the rows of W·H (damped), Rows x K.
void buildLeastSquares(const LayerContext &C, const double *W, const double *HW,
                       const int8_t *Q, int64_t Rows,
                       std::vector<LeastSquaresSystem> &Systems);

/// Solves a system in float64 by Cholesky after symmetrising; when the
/// factorisation fails, adds 0.01·mean(diag) (then 10x more, a few times).
/// X gets [s_0..s_{G-1}, z_0..z_{G-1}]. False when nothing worked.
bool solveLeastSquares(const LeastSquaresSystem &Sys, double *X);

/// Undamped error of (Q, s, z) read off a built system:
/// wᵀHw - 2xᵀb + xᵀMx - δ‖ŵ - w‖².
double systemError(const LayerContext &C, const LeastSquaresSystem &Sys,
                   const double *W, const int8_t *Q, const float *S,
                   const float *Z);

/// The GPTQ integer step's factor: columns in act-order (descending diag H)
/// and U = upper Cholesky factor of inverse(H_perm + t·mean(diag)·I), with
/// t = λ, then 10x more until the factorisation succeeds (up to 100).
struct GptqFactor {
  std::vector<int64_t> Perm;
  /// U in float32 (the rounding runs in float32, as the reference's does),
  /// K x K row-major, zero below the diagonal. Factorised in float64.
  std::vector<float> UF32;
  double DampUsed = 0;
};
/// When the factorisation fails at the first t (= Damp, the damping of the
/// objective), H is not positive semi-definite: that is the error
/// (makeNotPSDError), as validateQuantInputs would have said.
llvm::Expected<GptqFactor> makeGptqFactor(const Matrix &H, double Damp);

/// "hessian is not positive semi-definite: H + Shift * I (the damping) has
/// no Cholesky factorisation".
llvm::Error makeNotPSDError(double Shift);

/// GPTQ rounding of Rows rows with (s, z) fixed per (row, group) ("static
/// groups"), lazy column blocks of BlockSize. The working rows and the error
/// pushes are float32, as in the reference implementations (and 2x faster
/// than float64): a column's integer can differ from a float64 run only
/// where its value lies within ~1e-6 of a rounding boundary, and callers
/// measure every candidate exactly before keeping it.
/// With DampedErrors, also each row's error with the factor's damped H,
/// (ŵ - w)ᵀ(H + t·mean(diag H)·I)(ŵ - w) = Σ_j e_j² over the columns' pushed
/// errors e_j (GPTQ's loss identity; exact in real arithmetic, ~1e-6
/// relative in float32).
void gptqRound(const LayerContext &C, const GptqFactor &F, const double *W,
               int64_t Rows, const float *S, const float *Z, unsigned BlockSize,
               int8_t *Q, double *DampedErrors = nullptr);

/// The projected-gradient integer step's knobs: Adam steps on all columns,
/// then per snapped column.
struct PgdOptions {
  unsigned Steps = 20;
  unsigned ColumnSteps = 1;
  double LearningRate = 1e-3;
};

/// Projected-gradient integer step (see docs/quantization.md).
void pgdRound(const LayerContext &C, const double *W, int64_t Rows,
              const float *S, const float *Z, const PgdOptions &Opts,
              int8_t *Q);

/// The FlexRound integer step's knobs: Adam steps and learning rate on the
/// per-weight log-divisors.
struct FlexRoundOptions {
  unsigned Steps = 100;
  double LearningRate = 5e-3;
};

/// FlexRound integer step (learned element-wise division, see
/// docs/quantization.md): per row, the integers with the smallest damped
/// error (ŵ - w)ᵀ Hd (ŵ - w) seen while training the divisors from RTN
/// (divisors 1); never worse than RTN with the same (s, z). With
/// DampedErrors, also those errors (float64). O(Steps · K²) per row, one
/// GEMM over the Rows rows per step.
void flexRound(const LayerContext &C, const double *W, int64_t Rows,
               const float *S, const float *Z, const FlexRoundOptions &Opts,
               int8_t *Q, double *DampedErrors = nullptr);

/// Integer coordinate descent with (s, z) fixed, from the integers in Q
/// (docs/quantization.md): up to Sweeps passes over the columns in order,
/// each setting a column's integer to the one that minimises the damped
/// error (ŵ - w)ᵀ Hd (ŵ - w) with every other integer fixed, so the error
/// never increases; a pass that changes nothing ends it. The gradient Hd r
/// is updated lazily, one GEMM per block of BlockSize columns. With
/// DampedErrors, also each row's final damped error (float64). A row's
/// result does not depend on the other rows. O(Sweeps · K²) per row.
void coordinateDescentRound(const LayerContext &C, const double *W,
                            int64_t Rows, const float *S, const float *Z,
                            unsigned Sweeps, unsigned BlockSize, int8_t *Q,
                            double *DampedErrors = nullptr);

} // namespace dq

#endif // DQ_QUANT_STEPS_H
