//===- Calibration.cpp - accumulating observed layer inputs ---------------===//
//
// Instrumented modules call _mlir_ciface_dqrt_observe_f32(layer, x) with an
// unranked f32 memref descriptor for every dq.observe (--dq-lower-observers).
// The attached calibration adds the rows of x (all leading dims flattened,
// the last dim is K) to the layer's float64 Gram matrix.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include "dq/Calibration/Hessian.h"
#include "dq/Calibration/Stats.h"

#include <atomic>
#include <mutex>

using namespace dqrt;

struct dqrt_calibration_s {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<dq::HessianAccumulator>> layers;
  std::map<std::string, int64_t> widths;
};

namespace {

std::atomic<dqrt_calibration_s *> attached{nullptr};

/// An observation's failure, reported by the invocation that caused it
/// (PendingError.cpp).
void recordError(const std::string &message) {
  recordPendingError(DQRT_INVALID_ARGUMENT, "calibration: " + message);
}

struct UnrankedDescriptor {
  int64_t rank;
  void *descriptor;
};

/// Copies the observed tensor into row-major [rows, K] floats.
bool gatherRows(const UnrankedDescriptor &x, std::vector<float> &rows,
                int64_t &numRows, int64_t &k) {
  if (x.rank < 1 || !x.descriptor)
    return false;
  auto *words = static_cast<const int64_t *>(x.descriptor);
  const float *base = reinterpret_cast<const float *>(words[1]) + words[2];
  const int64_t *sizes = words + 3, *strides = words + 3 + x.rank;
  k = sizes[x.rank - 1];
  numRows = 1;
  for (int64_t d = 0; d + 1 < x.rank; ++d)
    numRows *= sizes[d];
  rows.resize(size_t(numRows * k));
  std::vector<int64_t> index(x.rank, 0);
  for (size_t i = 0; i < rows.size(); ++i) {
    int64_t offset = 0;
    for (int64_t d = 0; d < x.rank; ++d)
      offset += index[d] * strides[d];
    rows[i] = base[offset];
    for (int64_t d = x.rank - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
  return true;
}

} // namespace

extern "C" __attribute__((visibility("default"))) void
_mlir_ciface_dqrt_observe_f32(const char *layer, UnrankedDescriptor *x) {
  dqrt_calibration_s *calibration = attached.load();
  if (!calibration || !layer || !x)
    return;
  std::vector<float> rows;
  int64_t numRows = 0, k = 0;
  if (!gatherRows(*x, rows, numRows, k)) {
    recordError(std::string("layer '") + layer +
                "': observed a value of rank 0");
    return;
  }
  std::lock_guard<std::mutex> lock(calibration->mutex);
  auto [width, fresh] = calibration->widths.try_emplace(layer, k);
  if (!fresh && width->second != k) {
    recordError(std::string("layer '") + layer +
                "': observed with K = " + std::to_string(k) +
                " after K = " + std::to_string(width->second));
    return;
  }
  std::unique_ptr<dq::HessianAccumulator> &acc = calibration->layers[layer];
  if (!acc)
    acc = std::make_unique<dq::HessianAccumulator>(k);
  if (llvm::Error err = acc->addBatch(rows, numRows))
    recordError(std::string("layer '") + layer +
                "': " + llvm::toString(std::move(err)));
}

void *dqrt::getObserveSymbol() {
  return reinterpret_cast<void *>(&_mlir_ciface_dqrt_observe_f32);
}

extern "C" {

dqrt_status dqrt_calibration_create(dqrt_calibration *out) {
  if (!out)
    return toStatus(makeError(DQRT_INVALID_ARGUMENT, "'out' is NULL"));
  *out = new dqrt_calibration_s();
  return nullptr;
}

void dqrt_calibration_destroy(dqrt_calibration calibration) {
  if (!calibration)
    return;
  dqrt_calibration_s *expected = calibration;
  attached.compare_exchange_strong(expected, nullptr);
  delete calibration;
}

dqrt_status dqrt_calibration_attach(dqrt_calibration calibration) {
  attached.store(calibration);
  return nullptr;
}

size_t dqrt_calibration_num_layers(dqrt_calibration calibration) {
  if (!calibration)
    return 0;
  std::lock_guard<std::mutex> lock(calibration->mutex);
  return calibration->layers.size();
}

dqrt_status dqrt_calibration_write_stats(dqrt_calibration calibration,
                                         const char *path,
                                         const char *producer) {
  if (!calibration || !path)
    return toStatus(makeError(DQRT_INVALID_ARGUMENT,
                              "'calibration' and 'path' must not be NULL"));
  std::lock_guard<std::mutex> lock(calibration->mutex);
  if (calibration->layers.empty())
    return toStatus(makeError(
        DQRT_INVALID_ARGUMENT,
        "nothing was observed: the module has no observation points (compile "
        "it from dq-opt --dq-instrument output) or no invocation ran"));
  std::vector<dq::LayerStats> layers;
  for (const auto &[name, acc] : calibration->layers) {
    llvm::Expected<dq::Matrix> h = acc->getHessian();
    if (!h)
      return toStatus(
          makeError(DQRT_INVALID_ARGUMENT,
                    "layer '" + name + "': " + llvm::toString(h.takeError())));
    layers.push_back(dq::LayerStats{name, h->Rows, acc->getNumSamples(),
                                    std::move(h->Data)});
  }
  if (llvm::Error err =
          dq::writeStatsFile(path, layers, producer ? producer : "dqrt"))
    return toStatus(
        makeError(DQRT_INVALID_ARGUMENT, llvm::toString(std::move(err))));
  return nullptr;
}

} // extern "C"
