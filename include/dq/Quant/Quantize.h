//===- Quantize.h - decoupleQ, GPTQ and RTN on one linear layer -*- C++ -*-===//
//
// Quantizes one weight matrix W [N, K] given the layer's Hessian
// H = XᵀX / T [K, K] (undamped) into the decoupled form
//
//     W[n, k] ≈ s[n, g(k)] * Q[n, k] + z[n, g(k)],   g(k) = k / GroupSize
//
// with signed integers Q in [-2^(b-1), 2^(b-1) - 1] and a float scale s and
// float offset z per (row, group). The algorithm is the one of
// docs/quantization.md (and shared/docs/decoupleq.md); this header is the
// whole public interface:
//
//   QuantOptions Opts;                 // reference defaults
//   Opts.Method = QuantMethod::DecoupleQ;
//   Opts.Bits = 2; Opts.GroupSize = 64;
//   Expected<QuantizedLayer> L = quantizeLayer(W, H, Opts);
//
// Results are bit-identical for any Opts.Threads: rows are processed in
// fixed chunks whose arithmetic does not depend on scheduling, and every
// reduction runs in row order.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_QUANT_QUANTIZE_H
#define DQ_QUANT_QUANTIZE_H

#include "dq/Quant/Matrix.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dq {

enum class QuantMethod { RTN, GPTQ, DecoupleQ };
/// decoupleQ's integer step with (s, z) fixed: GPTQ rounding with static
/// groups in act-order, or projected gradient ("first-level approximation").
enum class IntStepKind { GPTQ, PGD };
/// Float type in which s and z are stored. Every value the engine returns or
/// scores is already rounded to it (round to nearest even).
enum class ScaleType { F16, BF16, F32 };

llvm::StringRef getQuantMethodName(QuantMethod M);
std::optional<QuantMethod> parseQuantMethod(llvm::StringRef Name);
llvm::StringRef getIntStepName(IntStepKind K);
std::optional<IntStepKind> parseIntStep(llvm::StringRef Name);
llvm::StringRef getScaleTypeName(ScaleType T);
std::optional<ScaleType> parseScaleType(llvm::StringRef Name);

/// One progress report: a stage of one layer finished.
struct QuantProgress {
  llvm::StringRef Layer;
  /// "rtn", "gptq", "clip", "int-step", "float-step" or "done".
  llvm::StringRef Stage;
  /// decoupleQ outer iteration (0 for the initial RTN/GPTQ stages).
  unsigned Iteration = 0;
  /// Rows whose best candidate improved in this stage.
  int64_t RowsImproved = 0;
  int64_t Rows = 0;
  /// Σ rows' best error / Σ wᵀHw, with the undamped H and stored s, z.
  double NormalizedError = 0;
};

struct QuantOptions {
  QuantMethod Method = QuantMethod::DecoupleQ;
  /// 2, 3, 4 or 8.
  unsigned Bits = 2;
  /// Columns per (s, z) pair: any divisor of K, or -1 (or K) for one pair per
  /// row ("per-channel").
  int64_t GroupSize = -1;
  /// decoupleQ outer iterations (the first is the RTN/GPTQ initialisation).
  unsigned Iters = 4;
  IntStepKind IntStep = IntStepKind::GPTQ;
  ScaleType Scale = ScaleType::F16;
  /// λ: the optimisation uses H + λ·mean(diag H)·I.
  double Damp = 0.01;
  /// Clip grid: shrink factors p = 1 - i/ClipGrid for i < ClipMaxShrink *
  /// ClipGrid (200 and 0.8: 160 candidates, p from 1 down to 0.205).
  unsigned ClipGrid = 200;
  double ClipMaxShrink = 0.8;
  /// How many clip candidates per row are scored with the exact H-weighted
  /// error after ranking all of them by the diagonal-H error; 0 scores every
  /// candidate exactly (the reference behaviour, ~40x slower at K = 4096).
  unsigned ClipExactCandidates = 4;
  /// RTN and GPTQ: start from the clip-searched (s, z) instead of min-max.
  bool ClipForBaselines = false;
  /// GPTQ lazy batch: columns updated together (a pure speed-up).
  unsigned BlockSize = 128;
  /// decoupleQ stops when fewer than this fraction of rows improved.
  double EarlyStopFraction = 1e-4;
  /// PGD integer step: Adam steps on all columns, then per snapped column.
  unsigned PgdSteps = 20;
  unsigned PgdColumnSteps = 1;
  double PgdLearningRate = 1e-3;
  /// Worker threads (rows are split between them); 1 runs inline.
  unsigned Threads = 1;
  /// Name passed to Progress.
  std::string LayerName;
  /// Called after each stage, on the calling thread.
  std::function<void(const QuantProgress &)> Progress;
};

struct QuantizedLayer {
  int64_t Rows = 0, Cols = 0;
  /// Effective group size (K for per-channel) and groups per row.
  int64_t GroupSize = 0, NumGroups = 0;
  unsigned Bits = 0;
  ScaleType Scale = ScaleType::F16;
  /// Row-major [Rows, Cols], values in [-2^(b-1), 2^(b-1) - 1].
  std::vector<int8_t> Q;
  /// Row-major [Rows, NumGroups]; each value is exactly representable in
  /// Scale's type. Scales may be negative.
  std::vector<float> ScaleValues, OffsetValues;
  /// (ŵ - w)ᵀ H (ŵ - w) per row with the undamped H and the stored s, z.
  std::vector<double> RowError;
  /// Σ RowError and Σ wᵀHw (undamped).
  double TotalError = 0, TotalEnergy = 0;
  /// TotalError / TotalEnergy (0 when TotalEnergy is 0).
  double NormalizedError = 0;
  /// decoupleQ outer iterations actually run (early stop may cut them).
  unsigned ItersRun = 0;

  /// ŵ = s·Q + z as a float64 matrix.
  Matrix dequantize() const;
};

/// Checks every input and option; the error names the offending value
/// (shape, position of a NaN/Inf, asymmetric entry, negative diagonal,
/// unsupported bit width, group size that does not divide K, ...).
llvm::Error validateQuantInputs(const Matrix &W, const Matrix &H,
                                const QuantOptions &Opts);

/// Quantizes W with the method in Opts. H must be symmetric up to a relative
/// 1e-5 of its largest diagonal entry (it is symmetrised) and positive
/// semi-definite; zero (dead) columns and rank-deficient H are fine.
llvm::Expected<QuantizedLayer> quantizeLayer(const Matrix &W, const Matrix &H,
                                             const QuantOptions &Opts);

/// Σ_rows (ŵ - w)ᵀ H (ŵ - w) for every row of What - W, with H as given.
/// Used by tests and tools to score any quantized weight independently.
std::vector<double> computeRowErrors(const Matrix &W, const Matrix &What,
                                     const Matrix &H);

} // namespace dq

#endif // DQ_QUANT_QUANTIZE_H
