//===- LayerRun.cpp - The stages several methods share -------------------===//

#include "dq/Quant/LayerRun.h"
#include "LinAlg.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Threading.h"

#include <algorithm>
#include <atomic>
#include <cmath>

using namespace llvm;

namespace dq {

int64_t rowChunkSize(int64_t N, int64_t NumGroups) {
  int64_t SystemBytes = 4 * NumGroups * NumGroups * int64_t(sizeof(double));
  int64_t Chunk = std::min<int64_t>(N / 8, (int64_t(256) << 20) / SystemBytes);
  return std::clamp<int64_t>(Chunk, 64, 256) / 64 * 64;
}

StageClock::StageClock()
    : Last(std::chrono::steady_clock::now()), LastCpu(std::clock()) {}

void StageClock::mark(StringRef Stage) {
  auto Now = std::chrono::steady_clock::now();
  std::clock_t Cpu = std::clock();
  Times.push_back({Stage.str(),
                   std::chrono::duration<double>(Now - Last).count(),
                   double(Cpu - LastCpu) / CLOCKS_PER_SEC});
  Last = Now;
  LastCpu = Cpu;
}

LayerRun::LayerRun(const Matrix &W, const Matrix &H, const QuantOptions &Opts,
                   StageClock &Clock)
    : W(W), H(H), Opts(Opts), N(W.Rows), K(W.Cols),
      C(makeLayerContext(H, Opts, W.Cols)), Wd(W.Data.data()), Clock(Clock) {
  G = C.NumGroups;
  RowChunk = rowChunkSize(N, G);
  if (Opts.Threads > 1 && N > RowChunk) {
    if (!Opts.Pool)
      OwnPool = std::make_unique<DefaultThreadPool>(
          hardware_concurrency(Opts.Threads));
    Pool = Opts.Pool ? Opts.Pool : OwnPool.get();
  }
  Best.Q.assign(size_t(N * K), 0);
  Best.S.assign(size_t(N * G), 0.0f);
  Best.Z.assign(size_t(N * G), 0.0f);
  Best.Err.assign(static_cast<size_t>(N), 0.0);
  Best.SolvedQ.assign(static_cast<size_t>(N), 0);
  Best.ErrExact.assign(static_cast<size_t>(N), 0);
}

void LayerRun::forEachChunk(function_ref<void(int64_t, int64_t)> F) {
  runChunks((N + RowChunk - 1) / RowChunk, [&](int64_t I) {
    int64_t R0 = I * RowChunk;
    F(R0, std::min(RowChunk, N - R0));
  });
}

void LayerRun::forEachChunkOf(ArrayRef<int64_t> Rows,
                              function_ref<void(const int64_t *, int64_t)> F) {
  int64_t Size = int64_t(Rows.size());
  runChunks((Size + RowChunk - 1) / RowChunk, [&](int64_t I) {
    int64_t P0 = I * RowChunk;
    F(Rows.data() + P0, std::min(RowChunk, Size - P0));
  });
}

void LayerRun::runChunks(int64_t NumChunks, function_ref<void(int64_t)> F) {
  if (!Pool || NumChunks <= 1) {
    for (int64_t I = 0; I < NumChunks; ++I)
      F(I);
    return;
  }
  // At most Threads tasks take the chunks in turn: which thread runs which
  // chunk does not change its arithmetic. A task group, so that a layer
  // running on a shared pool waits for its own chunks only (and, from a
  // worker thread, helps run them).
  std::atomic<int64_t> Next{0};
  ThreadPoolTaskGroup Group(*Pool);
  int64_t Tasks = std::min<int64_t>(Opts.Threads, NumChunks);
  for (int64_t T = 0; T < Tasks; ++T)
    Group.async([&] {
      for (int64_t I = Next++; I < NumChunks; I = Next++)
        F(I);
    });
  Group.wait();
}

void LayerRun::startGptqFactor() {
  if (Opts.Threads > 1)
    FactorFuture = std::async(std::launch::async,
                              [this] { return makeGptqFactor(H, Opts.Damp); });
}

Expected<GptqFactor> LayerRun::takeGptqFactor() {
  Expected<GptqFactor> F =
      FactorFuture.valid() ? FactorFuture.get() : makeGptqFactor(H, Opts.Damp);
  Clock.mark("gptq-factor (rest)");
  return F;
}

void LayerRun::computeEnergy(bool WithHW) {
  std::vector<double> Energy(static_cast<size_t>(N));
  if (WithHW) {
    HW.resize(size_t(N * K));
    forEachChunk([&](int64_t R0, int64_t Len) {
      linalg::gemm(false, false, Len, K, K, 1.0, Wd + R0 * K, K,
                   C.HDamped.Data.data(), K, 0.0, HW.data() + R0 * K, K);
      for (int64_t R = R0; R < R0 + Len; ++R) {
        double Sum = 0;
        for (int64_t I = 0; I < K; ++I)
          Sum += (HW[R * K + I] - C.Delta * Wd[R * K + I]) * Wd[R * K + I];
        Energy[R] = std::max(0.0, Sum);
      }
    });
  } else {
    std::vector<int8_t> Zq(size_t(N * K), 0);
    std::vector<float> Zs(size_t(N * G), 0.0f);
    forEachChunk([&](int64_t R0, int64_t Len) {
      computeErrors(C, Wd + R0 * K, Zq.data() + R0 * K, Zs.data() + R0 * G,
                    Zs.data() + R0 * G, Len, Energy.data() + R0);
    });
  }
  TotalEnergy = 0;
  for (double E : Energy)
    TotalEnergy += E;
  RowEnergy = std::move(Energy);
  Clock.mark(WithHW ? "energy (W·H)" : "energy");
}

Error LayerRun::initScaleOffset(bool ClipSearch) {
  forEachChunk([&](int64_t R0, int64_t Len) {
    if (ClipSearch) {
      clipSearch(C, Wd + R0 * K, Len, Opts, Best.S.data() + R0 * G,
                 Best.Z.data() + R0 * G);
    } else {
      for (int64_t R = R0; R < R0 + Len; ++R)
        minMaxScaleOffset(C, Wd + R * K, 1.0, Best.S.data() + R * G,
                          Best.Z.data() + R * G);
    }
  });
  Clock.mark(ClipSearch ? "clip search" : "min-max scale/offset");
  for (int64_t I = 0; I < N * G; ++I)
    if (!std::isfinite(Best.S[I]) || !std::isfinite(Best.Z[I])) {
      if (FactorFuture.valid())
        consumeError(FactorFuture.get().takeError());
      return createStringError(
          formatv("row {0}, group {1}: min-max scale/offset overflow {2}; use "
                  "a wider scale type (f32)",
                  I / G, I % G, getScaleTypeName(Opts.Scale))
              .str());
    }
  return Error::success();
}

void LayerRun::report(StringRef Stage, unsigned Iteration, int64_t RowsImproved,
                      const std::vector<double> *Errors) const {
  if (!Opts.Progress)
    return;
  double Sum = 0;
  for (double E : Errors ? *Errors : Best.Err)
    Sum += E;
  QuantProgress P;
  P.Layer = Opts.LayerName;
  P.Stage = Stage;
  P.Iteration = Iteration;
  P.RowsImproved = RowsImproved;
  P.Rows = N;
  P.NormalizedError = TotalEnergy > 0 ? Sum / TotalEnergy : 0.0;
  Opts.Progress(P);
}

} // namespace dq
