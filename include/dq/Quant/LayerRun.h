//===- LayerRun.h - What a method's solver works on -------------*- C++ -*-===//
//
// One quantizeLayer() call: the validated inputs, the shared per-layer
// context, the best (Q, s, z) of every row so far, and the stages that
// several methods share (energy, initial scale/offset, the GPTQ factor,
// progress). A method's Solve (Method.h) fills Best; quantizeLayer() then
// measures the errors on the stored values and builds the result.
//
// Rows are independent given H, so every stage runs over fixed chunks of
// rowChunkSize(N) rows, in parallel when Threads > 1. A chunk's arithmetic (its
// GEMMs included: BLAS is single-threaded) does not depend on which thread
// runs it, and totals are summed in row order afterwards, so the result is
// bit-identical for any thread count.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_QUANT_LAYERRUN_H
#define DQ_QUANT_LAYERRUN_H

#include "dq/Quant/Steps.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/ThreadPool.h"

#include <chrono>
#include <ctime>
#include <future>
#include <memory>

namespace dq {

/// Rows per work item, a function of the layer's shape only (never of the
/// thread count, so that results do not depend on it): a multiple of 64, at
/// least 64, and up to 256 while the layer still has 8 or more chunks to
/// balance between threads and a chunk's least-squares systems (2G x 2G
/// each) stay within 256 MB (256 rows up to G = 181 groups, K = 11584 at
/// g64). Each chunk's GEMMs pack H (or a slice of it) once, so larger
/// chunks pack less per row: 256 rather than 64 makes the K = 4096 W·H and
/// least-squares products 1.4x faster (docs/quantization.md).
int64_t rowChunkSize(int64_t N, int64_t NumGroups);

/// Wall and CPU time between consecutive marks: the stages of a profile.
class StageClock {
public:
  StageClock();
  /// Ends the stage that started at the previous mark (or construction).
  void mark(llvm::StringRef Stage);
  std::vector<StageTime> take() { return std::move(Times); }

private:
  std::chrono::steady_clock::time_point Last;
  std::clock_t LastCpu;
  std::vector<StageTime> Times;
};

/// The best candidate of every row so far.
struct BestState {
  std::vector<int8_t> Q;
  std::vector<float> S, Z;
  std::vector<double> Err;
  /// Whether the least-squares step has been solved for the row's current Q.
  std::vector<char> SolvedQ;
  /// Whether Err is exact (float64, e.g. read off a system), not a float32
  /// estimate (computeErrorsF32).
  std::vector<char> ErrExact;
};

class LayerRun {
public:
  LayerRun(const Matrix &W, const Matrix &H, const QuantOptions &Opts,
           StageClock &Clock);

  const Matrix &W, &H;
  const QuantOptions &Opts;
  int64_t N, K, G;
  /// rowChunkSize(N, G).
  int64_t RowChunk;
  LayerContext C;
  /// W.Data.data(), row-major N x K.
  const double *Wd;
  BestState Best;
  /// Set by a method that keeps Best.Err, the error of every row's stored
  /// (Q, s, z), with Best.ErrExact: quantizeLayer then reports the exact
  /// ones as they are and measures only the others again (instead of one
  /// N·K² product for every row).
  bool BestErrorsKept = false;
  /// Stage timing: a method marks the end of each of its stages.
  StageClock &Clock;
  /// Rows of W·(H + δI), N x K: filled by computeEnergy(/*WithHW=*/true).
  std::vector<double> HW;
  /// wᵀHw per row and their sum (undamped), from computeEnergy.
  std::vector<double> RowEnergy;
  double TotalEnergy = 0;

  /// Runs F(FirstRow, NumRows) over every chunk, on at most Opts.Threads
  /// threads of Opts.Pool (or of a pool of its own).
  void forEachChunk(llvm::function_ref<void(int64_t, int64_t)> F);

  /// The same over a subset of rows (ascending): F(RowIds, NumRows) for
  /// consecutive chunks of RowChunk entries of Rows.
  void forEachChunkOf(llvm::ArrayRef<int64_t> Rows,
                      llvm::function_ref<void(const int64_t *, int64_t)> F);

  /// Starts the GPTQ factor (one thread, single-threaded LAPACK: the same
  /// bits whoever computes it) so that it overlaps the first row-parallel
  /// stages; takeGptqFactor() waits for it (or computes it inline).
  void startGptqFactor();
  llvm::Expected<GptqFactor> takeGptqFactor();

  /// Σ wᵀHw, the error of ŵ = 0. WithHW reads it off W·H, which also gives
  /// every least-squares system its right-hand side (HW); otherwise from
  /// the exact errors of zero integers and scales.
  void computeEnergy(bool WithHW);

  /// Best's initial (s, z): min-max, or the clip search; fails when a value
  /// overflows the storage type.
  llvm::Error initScaleOffset(bool ClipSearch);

  /// Reports a finished stage to Opts.Progress with the normalized error of
  /// Errors (Best.Err when null).
  void report(llvm::StringRef Stage, unsigned Iteration, int64_t RowsImproved,
              const std::vector<double> *Errors = nullptr) const;

private:
  /// Runs F(I) for I < NumChunks, on the pool when there is one.
  void runChunks(int64_t NumChunks, llvm::function_ref<void(int64_t)> F);

  std::unique_ptr<llvm::DefaultThreadPool> OwnPool;
  /// Null: every chunk runs inline.
  llvm::ThreadPoolInterface *Pool = nullptr;
  std::future<llvm::Expected<GptqFactor>> FactorFuture;
};

} // namespace dq

#endif // DQ_QUANT_LAYERRUN_H
