//===- Quantize.cpp - constant matmul weights to dq weights ---------------===//

#include "dq/Transforms/Passes.h"
#include "dq/Transforms/WeightMatmuls.h"

#include "DQ/IR/DQOps.h"
#include "dq/Calibration/Stats.h"
#include "dq/Quant/Quantize.h"
#include "dq/Support/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <deque>
#include <future>

namespace mlir::dq {
#define GEN_PASS_DEF_DQQUANTIZE
#include "dq/Transforms/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;
// The engine and file formats are plain C++ in ::dq.
using ::dq::LayerStats;
using ::dq::Matrix;
using ::dq::QuantizedLayer;
using ::dq::QuantMethod;
using ::dq::QuantOptions;
using ::dq::ScaleType;

namespace {

/// `glob:value` overrides, first match wins.
template <typename T> struct Overrides {
  std::vector<std::pair<llvm::GlobPattern, T>> entries;
  std::optional<T> lookup(StringRef name) const {
    for (const auto &[glob, value] : entries)
      if (glob.match(name))
        return value;
    return std::nullopt;
  }
};

/// Parses `glob:value` entries; `parse` turns the value text into T.
template <typename T, typename Parse>
LogicalResult parseOverrides(ArrayRef<std::string> texts, StringRef option,
                             Parse parse, Overrides<T> &out,
                             std::string &error) {
  for (const std::string &text : texts) {
    auto [glob, value] = StringRef(text).rsplit(':');
    std::optional<T> parsed;
    if (!value.empty() && glob.size() != text.size())
      parsed = parse(value);
    llvm::Expected<llvm::GlobPattern> pattern = llvm::GlobPattern::create(glob);
    if (!parsed || !pattern) {
      if (!pattern)
        llvm::consumeError(pattern.takeError());
      error = (option + " entry '" + text +
               "' is not glob:value with a valid glob and value")
                  .str();
      return failure();
    }
    out.entries.emplace_back(std::move(*pattern), *parsed);
  }
  return success();
}

LogicalResult parseGlobs(ArrayRef<std::string> texts, StringRef option,
                         std::vector<llvm::GlobPattern> &out,
                         std::string &error) {
  for (const std::string &text : texts) {
    llvm::Expected<llvm::GlobPattern> pattern = llvm::GlobPattern::create(text);
    if (!pattern) {
      error = (option + " entry '" + text +
               "' is not a valid glob: " + llvm::toString(pattern.takeError()))
                  .str();
      return failure();
    }
    out.push_back(std::move(*pattern));
  }
  return success();
}

bool matchesAny(ArrayRef<llvm::GlobPattern> globs, StringRef name) {
  return llvm::any_of(globs, [&](const auto &g) { return g.match(name); });
}

Type scaleMLIRType(MLIRContext *ctx, ScaleType type) {
  switch (type) {
  case ScaleType::F16:
    return Float16Type::get(ctx);
  case ScaleType::BF16:
    return BFloat16Type::get(ctx);
  case ScaleType::F32:
    return Float32Type::get(ctx);
  }
  llvm_unreachable("unknown scale type");
}

/// Little-endian bytes of values (exactly representable in `type`).
std::vector<char> scaleBytes(ArrayRef<float> values, Type type) {
  std::vector<char> bytes;
  if (type.isF32()) {
    bytes.resize(values.size() * 4);
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
  }
  const llvm::fltSemantics &sem =
      type.isF16() ? llvm::APFloat::IEEEhalf() : llvm::APFloat::BFloat();
  bytes.resize(values.size() * 2);
  for (auto [i, v] : llvm::enumerate(values)) {
    llvm::APFloat f(v);
    bool lost;
    f.convert(sem, llvm::APFloat::rmNearestTiesToEven, &lost);
    uint16_t bits = uint16_t(f.bitcastToAPInt().getZExtValue());
    std::memcpy(bytes.data() + 2 * i, &bits, 2);
  }
  return bytes;
}

ElementsAttr makeBlob(RankedTensorType type, StringRef name,
                      ArrayRef<char> bytes) {
  return DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(bytes));
}

/// True when `init` is a tensor of zeros (linalg.fill of 0 or a zero
/// splat), so that the matmul's result is the bare product.
bool isZeroInit(Value init) {
  Value fillValue;
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    fillValue = fill.getInputs()[0];
  Attribute attr;
  if (fillValue) {
    if (!matchPattern(fillValue, m_Constant(&attr)))
      return false;
    auto f = llvm::dyn_cast<FloatAttr>(attr);
    return f && f.getValue().isZero();
  }
  if (!matchPattern(init, m_Constant(&attr)))
    return false;
  auto splat = llvm::dyn_cast<SplatElementsAttr>(attr);
  return splat && llvm::isa<FloatType>(splat.getElementType()) &&
         splat.getSplatValue<llvm::APFloat>().isZero();
}

/// One layer's work item.
struct Job {
  WeightMatmul matmul;
  QuantOptions options;
  Matrix weight, hessian;
  std::string error;
  std::optional<QuantizedLayer> result;
  double seconds = 0;
};

struct DQQuantizePass : public mlir::dq::impl::DQQuantizeBase<DQQuantizePass> {
  using DQQuantizeBase::DQQuantizeBase;

  void runOnOperation() override;

private:
  LogicalResult parseSettings(QuantOptions &base, std::string &error);
  void apply(Job &job);
  void report(const Job &job, size_t index, size_t count);

  Overrides<unsigned> bitsOverrides;
  Overrides<int64_t> groupOverrides;
  Overrides<QuantMethod> methodOverrides;
  std::vector<llvm::GlobPattern> skipGlobs, onlyGlobs;
  std::vector<Operation *> maybeDead;
  // The same counts as the pass statistics, which Debian's LLVM (built
  // without LLVM_ENABLE_STATS) does not track.
  struct {
    int64_t quantized = 0, skipped = 0;
    uint64_t floatBytes = 0, quantBytes = 0;
  } totals;
};

LogicalResult DQQuantizePass::parseSettings(QuantOptions &base,
                                            std::string &error) {
  if (statsFile.empty()) {
    error = "needs stats=FILE (calibration statistics from dq-run "
            "--calibrate)";
    return failure();
  }
  auto parseMethod = [](StringRef s) { return ::dq::parseQuantMethod(s); };
  std::optional<QuantMethod> m = parseMethod(method);
  std::optional<::dq::IntStepKind> step = ::dq::parseIntStep(intStep);
  std::optional<ScaleType> scale = ::dq::parseScaleType(scaleType);
  if (!m) {
    error = "unknown method '" + method + "' (expected decoupleq, gptq, rtn)";
    return failure();
  }
  if (!step) {
    error = "unknown int-step '" + intStep + "' (expected gptq or pgd)";
    return failure();
  }
  if (!scale) {
    error = "unknown scale-type '" + scaleType + "' (expected f16, bf16, f32)";
    return failure();
  }
  if (!::dq::isSupportedPackingBits(bits)) {
    error = "unsupported bit width " + std::to_string(bits) +
            "; expected 2, 3, 4 or 8";
    return failure();
  }
  auto parseBits = [](StringRef s) -> std::optional<unsigned> {
    unsigned v;
    if (s.getAsInteger(10, v) || !::dq::isSupportedPackingBits(v))
      return std::nullopt;
    return v;
  };
  auto parseGroup = [](StringRef s) -> std::optional<int64_t> {
    int64_t v;
    if (s.getAsInteger(10, v) || v == 0 || v < -1)
      return std::nullopt;
    return v;
  };
  if (failed(parseOverrides(layerBits, "layer-bits", parseBits, bitsOverrides,
                            error)) ||
      failed(parseOverrides(layerGroupSize, "layer-group-size", parseGroup,
                            groupOverrides, error)) ||
      failed(parseOverrides(layerMethod, "layer-method", parseMethod,
                            methodOverrides, error)) ||
      failed(parseGlobs(skip, "skip", skipGlobs, error)) ||
      failed(parseGlobs(layers, "layers", onlyGlobs, error)))
    return failure();
  base.Method = *m;
  base.IntStep = *step;
  base.Scale = *scale;
  base.Bits = bits;
  base.GroupSize = groupSize;
  base.Iters = iters;
  base.Damp = damp;
  return success();
}

void DQQuantizePass::runOnOperation() {
  ModuleOp module = getOperation();
  totals = {};
  QuantOptions base;
  std::string error;
  if (failed(parseSettings(base, error))) {
    module.emitError() << "dq-quantize: " << error;
    return signalPassFailure();
  }

  std::vector<WeightMatmul> found;
  std::vector<SkippedMatmul> unsupported;
  findWeightMatmuls(module, found, unsupported);
  for (const SkippedMatmul &skip : unsupported) {
    skip.op->emitRemark() << "not quantized: " << skip.reason;
    ++numSkipped;
    ++totals.skipped;
  }

  llvm::Expected<::dq::StatsReader> stats = ::dq::StatsReader::open(statsFile);
  if (!stats) {
    module.emitError() << "dq-quantize: " << llvm::toString(stats.takeError());
    return signalPassFailure();
  }

  // Settle every layer's settings and check them against the statistics
  // before any work, so that a bad option fails fast and nothing is half
  // quantized.
  std::vector<Job> jobs;
  bool failedCheck = false;
  for (WeightMatmul &matmul : found) {
    StringRef name = matmul.name;
    if ((!onlyGlobs.empty() && !matchesAny(onlyGlobs, name)) ||
        matchesAny(skipGlobs, name)) {
      ++numSkipped;
      ++totals.skipped;
      continue;
    }
    Operation *op = matmul.op.getOperation();
    if (!stats->contains(name)) {
      if (allowMissingStats) {
        op->emitWarning() << "layer '" << name
                          << "' has no calibration statistics in '" << statsFile
                          << "'; left in float";
        ++numSkipped;
        ++totals.skipped;
        continue;
      }
      op->emitError() << "layer '" << name
                      << "' has no calibration statistics in '" << statsFile
                      << "' (run dq-run --calibrate on the instrumented "
                         "module, or pass allow-missing-stats=true)";
      failedCheck = true;
      continue;
    }
    int64_t statsK = cantFail(stats->getK(name));
    if (statsK != matmul.k) {
      op->emitError() << "layer '" << name
                      << "': statistics have K = " << statsK
                      << " but the weight has K = " << matmul.k << " ("
                      << matmul.n << " x " << matmul.k << ")";
      failedCheck = true;
      continue;
    }
    Job job{matmul, base, {}, {}, {}, {}, 0};
    job.options.Bits = bitsOverrides.lookup(name).value_or(base.Bits);
    job.options.GroupSize =
        groupOverrides.lookup(name).value_or(base.GroupSize);
    job.options.Method = methodOverrides.lookup(name).value_or(base.Method);
    job.options.LayerName = matmul.name;
    int64_t g = job.options.GroupSize;
    if (g != -1 && (g <= 0 || matmul.k % g != 0)) {
      op->emitError() << "layer '" << name << "': group size " << g
                      << " does not divide K = " << matmul.k
                      << " (use group-size=-1 for per-channel, or a "
                         "layer-group-size override)";
      failedCheck = true;
      continue;
    }
    jobs.push_back(std::move(job));
  }
  if (failedCheck)
    return signalPassFailure();

  // At most `parallelLayers` layers are in memory at once (their float64
  // W and H); each gets an equal share of the threads.
  unsigned totalThreads =
      threads ? threads : llvm::hardware_concurrency().compute_thread_count();
  unsigned inFlight =
      std::max(1u, std::min<unsigned>(parallelLayers, jobs.size()));
  unsigned rowThreads = std::max(1u, totalThreads / inFlight);
  llvm::DefaultThreadPool pool(llvm::hardware_concurrency(inFlight));

  auto prepare = [&](Job &job) -> LogicalResult {
    std::vector<float> w;
    std::string readError;
    if (failed(readWeight(job.matmul, w, readError))) {
      job.matmul.op->emitError()
          << "layer '" << job.matmul.name << "': " << readError;
      return failure();
    }
    job.weight = Matrix(job.matmul.n, job.matmul.k);
    for (size_t i = 0; i < w.size(); ++i)
      job.weight.Data[i] = w[i];
    llvm::Expected<LayerStats> layer = stats->read(job.matmul.name);
    if (!layer) {
      job.matmul.op->emitError() << llvm::toString(layer.takeError());
      return failure();
    }
    job.hessian = Matrix(layer->K, layer->K);
    job.hessian.Data = std::move(layer->Hessian);
    job.options.Threads = rowThreads;
    return success();
  };
  auto work = [](Job *job) {
    auto start = std::chrono::steady_clock::now();
    llvm::Expected<QuantizedLayer> result =
        ::dq::quantizeLayer(job->weight, job->hessian, job->options);
    job->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (result)
      job->result = std::move(*result);
    else
      job->error = llvm::toString(result.takeError());
  };

  std::deque<std::pair<size_t, std::shared_future<void>>> running;
  size_t next = 0, done = 0;
  bool anyFailed = false;
  while (done < jobs.size()) {
    while (!anyFailed && next < jobs.size() && running.size() < inFlight) {
      if (failed(prepare(jobs[next]))) {
        anyFailed = true;
        break;
      }
      Job *job = &jobs[next];
      running.emplace_back(next++, pool.async([job, &work] { work(job); }));
    }
    if (running.empty())
      break;
    auto [index, future] = running.front();
    running.pop_front();
    future.wait();
    Job &job = jobs[index];
    ++done;
    if (!job.result) {
      job.matmul.op->emitError()
          << "layer '" << job.matmul.name << "': " << job.error;
      anyFailed = true;
    } else if (!anyFailed) {
      report(job, done, jobs.size());
      apply(job);
    }
    // Free the layer's inputs and results as soon as they are applied.
    job.weight = Matrix();
    job.hessian = Matrix();
    job.result.reset();
  }
  pool.wait();
  if (anyFailed)
    return signalPassFailure();

  // Drop what fed the float weights, if nothing else uses it. An op can be
  // queued more than once (shared by several matmuls): erase it once.
  llvm::DenseSet<Operation *> erased;
  while (!maybeDead.empty()) {
    Operation *op = maybeDead.back();
    maybeDead.pop_back();
    if (erased.contains(op) || !op->use_empty() || !isMemoryEffectFree(op))
      continue;
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        maybeDead.push_back(def);
    erased.insert(op);
    op->erase();
  }

  if (!quiet && (totals.quantized || totals.skipped)) {
    llvm::errs() << llvm::formatv(
        "dq-quantize: {0} layer(s) quantized, {1} left in float; weights "
        "{2} -> {3} bytes ({4:f1}x smaller)\n",
        totals.quantized, totals.skipped, totals.floatBytes, totals.quantBytes,
        totals.quantBytes ? double(totals.floatBytes) / totals.quantBytes
                          : 0.0);
  }
}

void DQQuantizePass::report(const Job &job, size_t index, size_t count) {
  if (quiet)
    return;
  const QuantizedLayer &r = *job.result;
  llvm::errs() << llvm::formatv(
      "dq-quantize: [{0}/{1}] {2} {3}x{4} {5} W{6} {7}: error {8:e3}, "
      "{9:f2} s\n",
      index, count, job.matmul.name, r.Rows, r.Cols,
      ::dq::getQuantMethodName(job.options.Method), r.Bits,
      r.GroupSize == r.Cols ? std::string("per-channel")
                            : "g" + std::to_string(r.GroupSize),
      r.NormalizedError, job.seconds);
}

void DQQuantizePass::apply(Job &job) {
  const QuantizedLayer &r = *job.result;
  WeightMatmul &m = job.matmul;
  Operation *op = m.op.getOperation();
  MLIRContext *ctx = op->getContext();
  OpBuilder builder(op);
  Location loc = op->getLoc();

  Type scaleType = scaleMLIRType(ctx, r.Scale);
  auto weightType = WeightType::get(ctx, r.Rows, r.Cols, r.Bits, r.GroupSize,
                                    scaleType, Layout::RowMajor);
  std::vector<uint8_t> packed(r.Rows * ::dq::getPackedRowBytes(r.Cols, r.Bits));
  cantFail(::dq::packRowMajor(r.Q, r.Rows, r.Cols, r.Bits, packed));
  ArrayRef<char> packedBytes(reinterpret_cast<const char *>(packed.data()),
                             packed.size());
  std::vector<char> s = scaleBytes(r.ScaleValues, scaleType);
  std::vector<char> z = scaleBytes(r.OffsetValues, scaleType);
  auto constant = ConstantOp::create(
      builder, loc, weightType,
      makeBlob(weightType.getPackedTensorType(), m.name + ".q", packedBytes),
      makeBlob(weightType.getScaleTensorType(), m.name + ".s", s),
      makeBlob(weightType.getScaleTensorType(), m.name + ".z", z));

  Value init = m.op.getDpsInitOperand(0)->get();
  auto resultType = llvm::cast<RankedTensorType>(init.getType());
  auto matmul = MatmulOp::create(builder, loc, resultType, m.activation->get(),
                                 constant.getResult());
  matmul->setAttr(kLayerNameAttr, builder.getStringAttr(m.name));
  Value result = matmul.getResult();
  if (!isZeroInit(init))
    result = arith::AddFOp::create(builder, loc, result, init);

  for (Value operand : op->getOperands())
    if (Operation *def = operand.getDefiningOp())
      maybeDead.push_back(def);
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();

  uint64_t replaced =
      uint64_t(r.Rows) * r.Cols *
      (getElementTypeOrSelf(m.value.getType()).getIntOrFloatBitWidth() / 8);
  uint64_t stored = packed.size() + s.size() + z.size();
  ++numQuantized;
  floatBytes += replaced;
  quantBytes += stored;
  ++totals.quantized;
  totals.floatBytes += replaced;
  totals.quantBytes += stored;
}

} // namespace
