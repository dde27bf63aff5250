//===- Quantize.h - decoupleQ, GPTQ and RTN on one linear layer -*- C++ -*-===//
//
// Quantizes one weight matrix W [N, K] given the layer's Hessian
// H = XᵀX / T [K, K] (undamped) into the decoupled form
//
//     W[n, k] ≈ s[n, g(k)] * Q[n, k] + z[n, g(k)],   g(k) = k / GroupSize
//
// with signed integers Q in [-2^(b-1), 2^(b-1) - 1] and a float scale s and
// float offset z per (row, group). The algorithm is the one of
// docs/quantization.md (and shared/docs/decoupleq.md). This header is the
// interface for callers; Method.h registers methods, Methods/*.h hold each
// method's own options, Settings.h parses key=value option text:
//
//   QuantOptions Opts;                 // reference defaults
//   Opts.Method = "decoupleq";         // a name in the registry (Method.h)
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

#include <any>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class ThreadPoolInterface;
} // namespace llvm

namespace dq {

/// Float type in which s and z are stored. Every value the engine returns or
/// scores is already rounded to it (round to nearest even).
enum class ScaleType { F16, BF16, F32 };

llvm::StringRef getScaleTypeName(ScaleType T);
std::optional<ScaleType> parseScaleType(llvm::StringRef Name);

/// One progress report: a stage of one layer finished.
struct QuantProgress {
  llvm::StringRef Layer;
  /// The method's stage names, e.g. decoupleQ's "rtn", "gptq", "clip",
  /// "int-step", "float-step" and (refinement rounds) "cd-step"; "done" for
  /// every method.
  llvm::StringRef Stage;
  /// decoupleQ outer iteration (0 for the initial RTN/GPTQ stages).
  unsigned Iteration = 0;
  /// Rows whose best candidate improved in this stage.
  int64_t RowsImproved = 0;
  int64_t Rows = 0;
  /// Σ rows' best error / Σ wᵀHw, with the undamped H and stored s, z.
  double NormalizedError = 0;
};

/// The knobs every method shares. A method's own knobs live in its options
/// struct (dq/Quant/Methods/*.h), held in MethodOptions.
struct QuantOptions {
  /// A registered method (dq/Quant/Method.h): "decoupleq", "gptq", "rtn".
  std::string Method = "decoupleq";
  /// The method's options struct (e.g. DecoupleQOptions); empty means the
  /// method's defaults.
  std::any MethodOptions;
  /// 2, 3, 4 or 8.
  unsigned Bits = 2;
  /// Columns per (s, z) pair: any divisor of K, or -1 (or K) for one pair per
  /// row ("per-channel").
  int64_t GroupSize = -1;
  ScaleType Scale = ScaleType::F16;
  /// λ: the optimisation uses H + λ·mean(diag H)·I.
  double Damp = 0.01;
  /// Worker threads (rows are split between them); 1 runs inline.
  unsigned Threads = 1;
  /// When set, the rows' work runs on this pool (at most Threads tasks at a
  /// time), e.g. an MLIRContext's, instead of on a pool of its own.
  llvm::ThreadPoolInterface *Pool = nullptr;
  /// Name passed to Progress.
  std::string LayerName;
  /// Called after each stage, on the calling thread.
  std::function<void(const QuantProgress &)> Progress;

  // Knobs of the steps that several methods use.
  /// Clip grid: shrink factors p = 1 - i/ClipGrid for i < ClipMaxShrink *
  /// ClipGrid (200 and 0.8: 160 candidates, p from 1 down to 0.205).
  unsigned ClipGrid = 200;
  double ClipMaxShrink = 0.8;
  /// How many clip candidates per row are scored with the exact H-weighted
  /// error after ranking all of them by the diagonal-H error; 0 scores every
  /// candidate exactly (the reference behaviour, ~40x slower at K = 4096).
  unsigned ClipExactCandidates = 4;
  /// The ranking evaluates every ClipRankStride-th candidate, then every
  /// candidate within a stride of the best two of those: the diagonal error
  /// is smooth in the shrink factor, and this evaluates ~50 of 160
  /// candidates instead of all (1: every candidate).
  unsigned ClipRankStride = 4;
  /// GPTQ rounding's lazy batch: columns updated together (a pure speed-up).
  unsigned BlockSize = 128;
};

/// Time spent in one stage of quantizeLayer (validation, the shared
/// products, each method stage), in the order the stages ran.
struct StageTime {
  std::string Stage;
  /// Wall-clock seconds, and CPU seconds of the whole process (all threads).
  double Seconds = 0, CpuSeconds = 0;
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
  /// wᵀHw per row (undamped): the error of ŵ = 0, what RowError is
  /// normalised by.
  std::vector<double> RowEnergy;
  /// Σ RowError and Σ wᵀHw (undamped).
  double TotalError = 0, TotalEnergy = 0;
  /// TotalError / TotalEnergy (0 when TotalEnergy is 0).
  double NormalizedError = 0;
  /// decoupleQ outer iterations plus refinement rounds actually run (early
  /// stop may cut the iterations); 1 for single-pass methods.
  unsigned ItersRun = 0;

  /// Where the time went (dq-quant --profile).
  std::vector<StageTime> Profile;

  /// ŵ = s·Q + z as a float64 matrix.
  Matrix dequantize() const;
};

/// Checks every input and option, the method's own included; the error
/// names the offending value (shape, position of a NaN/Inf, asymmetric
/// entry, negative diagonal, unsupported bit width, group size that does not
/// divide K, unknown method, ...).
/// CheckFactorisation = false leaves out the last check, the Cholesky
/// factorisation of H plus the damping, for a caller that factorises it
/// anyway (QuantMethodInfo::FactorsHessian).
llvm::Error validateQuantInputs(const Matrix &W, const Matrix &H,
                                const QuantOptions &Opts,
                                bool CheckFactorisation = true);

/// Quantizes W with the method in Opts (looked up in the registry). H must be
/// symmetric up to 1e-5 of its largest entry (it is symmetrised) and positive
/// semi-definite (H plus the damping must have a Cholesky factor); zero (dead)
/// columns and rank-deficient H are fine. Errors are those of
/// validateQuantInputs, plus a scale/offset that overflows the storage type.
llvm::Expected<QuantizedLayer> quantizeLayer(const Matrix &W, const Matrix &H,
                                             const QuantOptions &Opts);

/// A warning when a layer's H came from fewer calibration tokens than it
/// has inputs (Tokens < K) and Method uses H to choose its integers (all but
/// rtn): H then has rank at most Tokens, the method fits that subspace, and
/// on other inputs it can do worse than round-to-nearest. None otherwise
/// (or when Tokens is unknown, 0).
std::optional<std::string> describeThinCalibration(int64_t Tokens, int64_t K,
                                                   llvm::StringRef Method);

/// The OpenBLAS kernels in use ("SkylakeX", "Haswell", ...): GEMM speed,
/// and the last bits of results, depend on them (see dq/Quant/BlasSetup.h).
const char *getBlasCoreName();

/// Σ_rows (ŵ - w)ᵀ H (ŵ - w) for every row of What - W, with H as given.
/// Used by tests and tools to score any quantized weight independently.
std::vector<double> computeRowErrors(const Matrix &W, const Matrix &What,
                                     const Matrix &H);

} // namespace dq

#endif // DQ_QUANT_QUANTIZE_H
