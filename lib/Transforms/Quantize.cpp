//===- Quantize.cpp - constant matmul weights to dq weights ---------------===//

#include "QuantizeBudget.h"
#include "dq/Transforms/Passes.h"
#include "dq/Transforms/WeightMatmuls.h"

#include "DQ/IR/DQOps.h"
#include "dq/Calibration/Stats.h"
#include "dq/Quant/Method.h"
#include "dq/Quant/Quantize.h"
#include "dq/Quant/QuantizedModel.h"
#include "dq/Quant/Settings.h"
#include "dq/Support/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
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
using ::dq::QuantizedModelReader;
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

/// A new resource blob named `name` (made unique by the context when the
/// name is taken). `align` is the data's alignment: a float32 blob needs 4.
ElementsAttr makeBlob(RankedTensorType type, StringRef name,
                      ArrayRef<char> bytes, size_t align = alignof(char)) {
  return DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, align));
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

/// One layer's work item: quantized from statistics, or imported from the
/// checkpoint as it is.
struct Job {
  WeightMatmul matmul;
  QuantOptions options;
  bool imported = false;
  Matrix weight, hessian;
  std::string error;
  std::optional<QuantizedLayer> result;
  double seconds = 0;
  /// A layer-bits or layer-group-size override set its configuration, which
  /// budget= then keeps.
  bool pinned = false;
  /// The thin-calibration warning was given (budget= reads a layer twice).
  bool warned = false;
  /// No statistics, and a method that needs none: H = I.
  bool identityHessian = false;
};

/// The files the layers come from; either may be absent.
struct Sources {
  std::optional<::dq::StatsReader> stats;
  std::optional<QuantizedModelReader> weights;
  /// The constants `dense_resource<NAME>` that the checkpoint's NAME.value
  /// tensors replace, by NAME.
  llvm::StringMap<SmallVector<arith::ConstantOp, 1>> floatConstants;
};

/// What the options say, parsed afresh by every run so that the pass can
/// run again (and twice in one pipeline) with nothing left over.
struct Settings {
  ::dq::QuantSettings engine;
  Overrides<unsigned> bits;
  Overrides<int64_t> groupSize;
  Overrides<std::string> method;
  std::vector<llvm::GlobPattern> skip, only;
  /// budget=: set when it is on.
  std::optional<BudgetRequest> budget;
};

/// The same counts as the pass statistics, which Debian's LLVM (built
/// without LLVM_ENABLE_STATS) does not track.
struct Totals {
  int64_t quantized = 0, imported = 0, skipped = 0, replaced = 0;
  uint64_t floatBytes = 0, quantBytes = 0;
};

struct DQQuantizePass : public mlir::dq::impl::DQQuantizeBase<DQQuantizePass> {
  using DQQuantizeBase::DQQuantizeBase;

  void runOnOperation() override;

private:
  LogicalResult parseSettings(Settings &out, std::string &error);
  LogicalResult parseBudget(Settings &out, std::string &error);
  LogicalResult openSources(ModuleOp module, ArrayRef<WeightMatmul> found,
                            Sources &sources);
  LogicalResult planJobs(MutableArrayRef<WeightMatmul> found,
                         const Settings &settings, const Sources &sources,
                         std::vector<Job> &jobs, Totals &totals);
  LogicalResult replaceFloats(ArrayRef<Job> jobs, const Sources &sources,
                              Totals &totals);
  LogicalResult prepare(Job &job, const Sources &sources, unsigned rowThreads);
  LogicalResult quantizeJobs(std::vector<Job> &jobs, const Sources &sources,
                             Totals &totals,
                             std::vector<Operation *> &maybeDead);
  void apply(Job &job, Totals &totals, std::vector<Operation *> &maybeDead);
  void report(const Job &job, size_t index, size_t count);
  LogicalResult applyBudget(std::vector<Job> &jobs, const Sources &sources,
                            const BudgetRequest &request);
  unsigned threadCount();
  void printSummary(const Totals &totals);
  void skipped(Totals &totals) {
    ++numSkipped;
    ++totals.skipped;
  }
};

/// Feeds the typed pass options (as key/value text) and the method-options
/// entries to the engine's parser, the one dq-quant uses too.
LogicalResult applyEngineOptions(ArrayRef<std::pair<StringRef, std::string>> kv,
                                 ArrayRef<std::string> extra,
                                 ::dq::QuantSettings &out, std::string &error) {
  for (const auto &[key, value] : kv)
    if (llvm::Error e = ::dq::applyQuantSetting(out, key, value)) {
      error = llvm::toString(std::move(e));
      return failure();
    }
  for (const std::string &text : extra)
    if (llvm::Error e = ::dq::applyQuantSetting(out, text)) {
      error = "method-options: " + llvm::toString(std::move(e));
      return failure();
    }
  return success();
}

LogicalResult DQQuantizePass::parseSettings(Settings &out, std::string &error) {
  const ::dq::QuantMethodInfo *common = ::dq::lookupQuantMethod(method);
  if (statsFile.empty() && weightsFile.empty() &&
      !(common && !common->NeedsCalibration)) {
    error = "needs stats=FILE (calibration statistics from dq-run "
            "--calibrate) or weights=FILE (a quantized-model checkpoint, "
            "docs/weights-format.md); only a method that needs no data "
            "(rtn) runs without either";
    return failure();
  }
  std::pair<StringRef, std::string> kv[] = {
      {"method", method},
      {"bits", std::to_string(bits)},
      {"group-size", std::to_string(groupSize)},
      {"scale-type", scaleType},
      {"damp", llvm::formatv("{0}", llvm::format("%.17g", double(damp))).str()},
      {"iters", std::to_string(iters)},
      {"int-step", intStep},
  };
  if (failed(applyEngineOptions(kv, methodOptions, out.engine, error)))
    return failure();
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
  auto parseMethod = [](StringRef s) -> std::optional<std::string> {
    if (!::dq::lookupQuantMethod(s))
      return std::nullopt;
    return s.str();
  };
  if (failed(parseBudget(out, error)))
    return failure();
  return success(succeeded(parseOverrides(layerBits, "layer-bits", parseBits,
                                          out.bits, error)) &&
                 succeeded(parseOverrides(layerGroupSize, "layer-group-size",
                                          parseGroup, out.groupSize, error)) &&
                 succeeded(parseOverrides(layerMethod, "layer-method",
                                          parseMethod, out.method, error)) &&
                 succeeded(parseGlobs(skip, "skip", out.skip, error)) &&
                 succeeded(parseGlobs(layers, "layers", out.only, error)));
}

LogicalResult DQQuantizePass::parseBudget(Settings &out, std::string &error) {
  double b = budget;
  if (!(b >= 0) || !std::isfinite(b)) {
    error =
        llvm::formatv("budget={0} is not a number of bits per weight >= 0", b)
            .str();
    return failure();
  }
  if (b == 0) {
    if (!budgetBits.empty() || !budgetGroupSizes.empty() ||
        !budgetReport.empty() || !budgetCosts.empty() ||
        !budgetWeights.empty()) {
      error = "budget-bits, budget-group-sizes, budget-report, budget-costs "
              "and budget-weights need budget=<bits per weight>";
      return failure();
    }
    return success();
  }
  BudgetRequest request;
  request.BitsPerWeight = b;
  request.Cost = budgetCost;
  request.ReportPath = budgetReport;
  request.CostsPath = budgetCosts;
  request.WeightsPath = budgetWeights;
  request.Quiet = quiet;
  request.UniformBits = out.engine.Common.Bits;
  request.UniformGroupSize = out.engine.Common.GroupSize;
  request.Bits.assign(budgetBits.begin(), budgetBits.end());
  if (request.Bits.empty())
    request.Bits = {2, 3, 4, 8};
  for (unsigned v : request.Bits)
    if (!::dq::isSupportedPackingBits(v)) {
      error = llvm::formatv("budget-bits entry {0} is not a supported bit "
                            "width (2, 3, 4 or 8)",
                            v)
                  .str();
      return failure();
    }
  request.GroupSizes.assign(budgetGroupSizes.begin(), budgetGroupSizes.end());
  if (request.GroupSizes.empty())
    request.GroupSizes = {32, 64, 128, -1};
  for (int64_t g : request.GroupSizes)
    if (g == 0 || g < -1) {
      error = llvm::formatv("budget-group-sizes entry {0} is not a group "
                            "size (> 0, or -1 for per-channel)",
                            g)
                  .str();
      return failure();
    }
  out.budget = std::move(request);
  return success();
}

/// Settles every layer's settings and checks them against the statistics
/// before any work, so that a bad option fails fast and nothing is half
/// quantized.
LogicalResult DQQuantizePass::planJobs(MutableArrayRef<WeightMatmul> found,
                                       const Settings &settings,
                                       const Sources &sources,
                                       std::vector<Job> &jobs, Totals &totals) {
  bool failedCheck = false;
  for (WeightMatmul &matmul : found) {
    StringRef name = matmul.name;
    if ((!settings.only.empty() && !matchesAny(settings.only, name)) ||
        matchesAny(settings.skip, name)) {
      skipped(totals);
      continue;
    }
    Operation *op = matmul.op.getOperation();
    if (sources.weights && sources.weights->contains(name)) {
      jobs.push_back(Job{matmul, {}, true, {}, {}, {}, {}, 0});
      continue;
    }
    const auto &stats = sources.stats;
    const QuantOptions &common = settings.engine.Common;
    std::string layerMethod =
        settings.method.lookup(name).value_or(common.Method);
    const ::dq::QuantMethodInfo *info = ::dq::lookupQuantMethod(layerMethod);
    bool dataFree = info && !info->NeedsCalibration;
    if ((!stats || !stats->contains(name)) && !dataFree) {
      std::string from =
          stats ? "no calibration statistics in '" + statsFile + "'"
                : "is not in '" + weightsFile + "' and no stats=FILE is given";
      StringRef hint =
          stats ? " (run dq-run --calibrate on the instrumented module, or "
                  "pass allow-missing-stats=true)"
                : " (add it to the checkpoint, give stats=FILE, or leave it "
                  "in float with skip=)";
      if (allowMissingStats) {
        op->emitWarning() << "layer '" << name << "' " << (stats ? "has " : "")
                          << from << "; left in float";
        skipped(totals);
        continue;
      }
      op->emitError() << "layer '" << name << "' " << (stats ? "has " : "")
                      << from << hint;
      failedCheck = true;
      continue;
    }
    int64_t statsK =
        stats && stats->contains(name) ? cantFail(stats->getK(name)) : matmul.k;
    if (statsK != matmul.k) {
      op->emitError() << "layer '" << name
                      << "': statistics have K = " << statsK
                      << " but the weight has K = " << matmul.k << " ("
                      << matmul.n << " x " << matmul.k << ")";
      failedCheck = true;
      continue;
    }
    Job job{matmul, {}, false, {}, {}, {}, {}, 0};
    job.options = settings.engine.getOptions(layerMethod);
    job.identityHessian = !stats || !stats->contains(name);
    std::optional<unsigned> bitsOverride = settings.bits.lookup(name);
    std::optional<int64_t> groupOverride = settings.groupSize.lookup(name);
    job.options.Bits = bitsOverride.value_or(common.Bits);
    job.options.GroupSize = groupOverride.value_or(common.GroupSize);
    job.pinned = bitsOverride || groupOverride;
    job.options.LayerName = matmul.name;
    int64_t g = job.options.GroupSize;
    // budget= chooses the group of the layers without an override.
    bool chosen = settings.budget && !job.pinned;
    if (!chosen && g != -1 && (g <= 0 || matmul.k % g != 0)) {
      op->emitError() << "layer '" << name << "': group size " << g
                      << " does not divide K = " << matmul.k
                      << " (use group-size=-1 for per-channel, or a "
                         "layer-group-size override)";
      failedCheck = true;
      continue;
    }
    jobs.push_back(std::move(job));
  }
  return failure(failedCheck);
}

/// Reads the layer's float64 W and H (only while it is in flight), or the
/// imported layer itself.
LogicalResult DQQuantizePass::prepare(Job &job, const Sources &sources,
                                      unsigned rowThreads) {
  if (job.imported) {
    auto start = std::chrono::steady_clock::now();
    llvm::Expected<QuantizedLayer> layer =
        sources.weights->read(job.matmul.name, job.matmul.n, job.matmul.k);
    if (!layer) {
      job.matmul.op->emitError() << llvm::toString(layer.takeError());
      return failure();
    }
    job.result = std::move(*layer);
    job.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    return success();
  }
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
  job.options.Threads = rowThreads;
  if (getContext().isMultithreadingEnabled())
    job.options.Pool = &getContext().getThreadPool();
  if (job.identityHessian) {
    job.hessian = Matrix(job.matmul.k, job.matmul.k);
    for (int64_t i = 0; i < job.matmul.k; ++i)
      job.hessian.Data[i * job.matmul.k + i] = 1.0;
    return success();
  }
  llvm::Expected<LayerStats> layer = sources.stats->read(job.matmul.name);
  if (!layer) {
    job.matmul.op->emitError() << llvm::toString(layer.takeError());
    return failure();
  }
  if (std::optional<std::string> thin = ::dq::describeThinCalibration(
          layer->Tokens, layer->K, job.options.Method);
      thin && !job.warned) {
    job.matmul.op->emitWarning()
        << "layer '" << job.matmul.name << "': " << *thin;
    job.warned = true;
  }
  job.hessian = Matrix(layer->K, layer->K);
  job.hessian.Data = std::move(layer->Hessian);
  return success();
}

void runJob(Job &job) {
  auto start = std::chrono::steady_clock::now();
  llvm::Expected<QuantizedLayer> result =
      ::dq::quantizeLayer(job.weight, job.hessian, job.options);
  job.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (result)
    job.result = std::move(*result);
  else
    job.error = llvm::toString(result.takeError());
}

/// Quantizes the layers `parallel-layers` at a time on the context's
/// thread pool, their rows too (everything inline when the context is
/// single-threaded), applying each result in layer order. At most that many
/// layers are in memory at once (their float64 W and H); each gets an equal
/// share of the threads.
LogicalResult
DQQuantizePass::quantizeJobs(std::vector<Job> &jobs, const Sources &sources,
                             Totals &totals,
                             std::vector<Operation *> &maybeDead) {
  MLIRContext &ctx = getContext();
  bool threaded = ctx.isMultithreadingEnabled();
  unsigned totalThreads = threadCount();
  unsigned inFlight =
      threaded ? std::max(1u, std::min<unsigned>(parallelLayers, jobs.size()))
               : 1;
  unsigned rowThreads = std::max(1u, totalThreads / inFlight);
  std::optional<llvm::ThreadPoolTaskGroup> group;
  if (threaded && inFlight > 1)
    group.emplace(ctx.getThreadPool());

  std::deque<std::pair<size_t, std::shared_future<void>>> running;
  size_t next = 0, done = 0;
  bool anyFailed = false;
  while (done < jobs.size()) {
    while (!anyFailed && next < jobs.size() && running.size() < inFlight) {
      if (failed(prepare(jobs[next], sources, rowThreads))) {
        anyFailed = true;
        break;
      }
      Job *job = &jobs[next];
      std::shared_future<void> future;
      if (group && !job->imported) {
        future = group->async([job] { runJob(*job); });
      } else {
        if (!job->imported)
          runJob(*job);
        std::promise<void> ready;
        ready.set_value();
        future = ready.get_future().share();
      }
      running.emplace_back(next++, future);
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
      apply(job, totals, maybeDead);
    }
    // Free the layer's inputs and results as soon as they are applied.
    job.weight = Matrix();
    job.hessian = Matrix();
    job.result.reset();
  }
  if (group)
    group->wait();
  return failure(anyFailed);
}

unsigned DQQuantizePass::threadCount() {
  if (!getContext().isMultithreadingEnabled())
    return 1;
  return threads ? threads
                 : llvm::hardware_concurrency().compute_thread_count();
}

/// Chooses the configuration of every layer quantized from statistics
/// under budget=, measuring each candidate on the layer's W and H.
LogicalResult DQQuantizePass::applyBudget(std::vector<Job> &jobs,
                                          const Sources &sources,
                                          const BudgetRequest &request) {
  std::vector<size_t> solved;
  std::vector<BudgetItem> items;
  for (auto [i, job] : llvm::enumerate(jobs)) {
    if (job.imported)
      continue;
    solved.push_back(i);
    items.push_back(
        {job.matmul.name, job.matmul.n, job.matmul.k, job.options, job.pinned});
  }
  if (items.empty()) {
    getOperation().emitError()
        << "dq-quantize: budget= has no layer to quantize from statistics "
           "(every layer is imported, skipped or left out)";
    return failure();
  }
  unsigned rowThreads = threadCount();
  for (BudgetItem &item : items) {
    item.Options.Threads = rowThreads;
    if (getContext().isMultithreadingEnabled())
      item.Options.Pool = &getContext().getThreadPool();
  }
  Operation *failedOp = nullptr;
  auto load = [&](size_t i, Matrix &w, Matrix &h) -> llvm::Error {
    Job &job = jobs[solved[i]];
    if (failed(prepare(job, sources, rowThreads))) {
      failedOp = job.matmul.op;
      return llvm::createStringError("layer not readable");
    }
    w = std::move(job.weight);
    h = std::move(job.hessian);
    job.weight = Matrix();
    job.hessian = Matrix();
    return llvm::Error::success();
  };
  if (llvm::Error e = chooseUnderBudget(items, request, load)) {
    std::string message = llvm::toString(std::move(e));
    // prepare() has already said what was wrong with the layer.
    if (!failedOp)
      getOperation().emitError() << "dq-quantize: " << message;
    return failure();
  }
  for (auto [i, item] : llvm::enumerate(items)) {
    jobs[solved[i]].options.Bits = item.Options.Bits;
    jobs[solved[i]].options.GroupSize = item.Options.GroupSize;
  }
  return success();
}

/// Drops what fed the float weights, if nothing else uses it. An op can be
/// queued more than once (shared by several matmuls): erase it once.
void eraseDeadFeeders(std::vector<Operation *> &maybeDead) {
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
}

/// Opens the statistics and the checkpoint that are given, and checks that
/// every layer of the checkpoint names a weight-bearing matmul and every
/// float parameter a dense_resource constant.
LogicalResult DQQuantizePass::openSources(ModuleOp module,
                                          ArrayRef<WeightMatmul> found,
                                          Sources &sources) {
  if (!statsFile.empty()) {
    llvm::Expected<::dq::StatsReader> stats =
        ::dq::StatsReader::open(statsFile);
    if (!stats) {
      module.emitError() << "dq-quantize: "
                         << llvm::toString(stats.takeError());
      return failure();
    }
    sources.stats.emplace(std::move(*stats));
  }
  if (weightsFile.empty())
    return success();
  llvm::Expected<QuantizedModelReader> weights =
      QuantizedModelReader::open(weightsFile);
  if (!weights) {
    module.emitError() << "dq-quantize: "
                       << llvm::toString(weights.takeError());
    return failure();
  }
  llvm::StringSet<> names;
  for (const WeightMatmul &m : found)
    names.insert(m.name);
  SmallVector<StringRef> unmatched;
  for (const std::string &layer : weights->getLayers())
    if (!names.contains(layer))
      unmatched.push_back(layer);
  if (!unmatched.empty()) {
    size_t shown = std::min<size_t>(unmatched.size(), 5);
    module.emitError() << "dq-quantize: " << unmatched.size()
                       << " layer(s) of '" << weightsFile
                       << "' name no weight-bearing matmul of the module: "
                       << llvm::join(ArrayRef(unmatched).take_front(shown),
                                     ", ")
                       << (shown < unmatched.size() ? ", ..." : "")
                       << " (dq-opt --dq-instrument lists the module's layer "
                          "names)";
    return failure();
  }

  // Likewise a parameter whose name matches no constant would leave the
  // model silently unrefined.
  if (!weights->getFloats().empty()) {
    llvm::StringMap<SmallVector<arith::ConstantOp, 1>> byKey;
    module.walk([&](arith::ConstantOp op) {
      if (auto resource = dyn_cast<DenseResourceElementsAttr>(op.getValue()))
        byKey[resource.getRawHandle().getKey()].push_back(op);
    });
    SmallVector<StringRef> unnamed;
    for (const std::string &name : weights->getFloats()) {
      auto it = byKey.find(name);
      if (it == byKey.end())
        unnamed.push_back(name);
      else
        sources.floatConstants[name] = it->second;
    }
    if (!unnamed.empty()) {
      size_t shown = std::min<size_t>(unnamed.size(), 5);
      SmallVector<std::string> tensors;
      for (StringRef name : ArrayRef(unnamed).take_front(shown))
        tensors.push_back((name + ".value").str());
      module.emitError() << "dq-quantize: " << unnamed.size()
                         << " .value tensor(s) of '" << weightsFile
                         << "' name no dense_resource constant of the "
                            "module: "
                         << llvm::join(tensors, ", ")
                         << (shown < unnamed.size() ? ", ..." : "")
                         << " (NAME.value replaces arith.constant "
                            "dense_resource<NAME>, the key matched exactly)";
      return failure();
    }
  }
  sources.weights.emplace(std::move(*weights));
  return success();
}

/// Replaces the constants named by the checkpoint's .value tensors. Runs
/// before any layer is quantized, so that a bad value fails fast, and
/// checks every value before replacing any, so that nothing is half done.
LogicalResult DQQuantizePass::replaceFloats(ArrayRef<Job> jobs,
                                            const Sources &sources,
                                            Totals &totals) {
  if (!sources.weights)
    return success();
  llvm::DenseMap<Operation *, StringRef> quantizedWeights;
  for (const Job &job : jobs)
    quantizedWeights[job.matmul.source] = job.matmul.name;

  struct Replacement {
    StringRef name;
    RankedTensorType type;
    std::vector<float> values;
  };
  std::vector<Replacement> replacements;
  for (const std::string &name : sources.weights->getFloats()) {
    ArrayRef<arith::ConstantOp> ops = sources.floatConstants.at(name);
    for (arith::ConstantOp op : ops) {
      // Its quantized weight comes from .q, .scale and .offset instead.
      auto layer = quantizedWeights.find(op);
      if (layer != quantizedWeights.end()) {
        op.emitError() << "dq-quantize: '" << name
                       << ".value' replaces the weight of layer '"
                       << layer->second
                       << "', which this run quantizes (leave the layer in "
                          "float with skip=, or drop the .value)";
        return failure();
      }
      auto type = dyn_cast<RankedTensorType>(op.getType());
      if (!type || !type.getElementType().isF32()) {
        op.emitError() << "dq-quantize: '" << name
                       << ".value' is F32 but its constant is " << op.getType()
                       << " (only f32 tensors are replaced)";
        return failure();
      }
    }
    // Every constant's shape must be the tensor's: read it once, and again
    // only for a constant of another shape (which fails).
    for (auto [i, constant] : llvm::enumerate(ops)) {
      arith::ConstantOp op = constant;
      auto type = cast<RankedTensorType>(op.getType());
      if (i > 0 && type == replacements.back().type)
        continue;
      llvm::Expected<std::vector<float>> values =
          sources.weights->readFloat(name, type.getShape());
      if (!values) {
        op.emitError() << "dq-quantize: " << llvm::toString(values.takeError());
        return failure();
      }
      if (i == 0)
        replacements.push_back({name, type, std::move(*values)});
    }
  }

  for (Replacement &r : replacements) {
    ArrayRef<char> bytes(reinterpret_cast<const char *>(r.values.data()),
                         r.values.size() * sizeof(float));
    auto value =
        cast<TypedAttr>(makeBlob(r.type, r.name, bytes, alignof(float)));
    ArrayRef<arith::ConstantOp> ops = sources.floatConstants.at(r.name);
    for (arith::ConstantOp op : ops)
      op.setValueAttr(value);
    totals.replaced += ops.size();
    if (quiet)
      continue;
    llvm::errs() << "dq-quantize: replaced constant " << r.name << " "
                 << ::dq::formatShape(r.type.getShape())
                 << " from the checkpoint";
    if (ops.size() > 1)
      llvm::errs() << " (" << ops.size() << " constants)";
    llvm::errs() << "\n";
  }
  return success();
}

void DQQuantizePass::runOnOperation() {
  ModuleOp module = getOperation();
  Settings settings;
  std::string error;
  if (failed(parseSettings(settings, error))) {
    module.emitError() << "dq-quantize: " << error;
    return signalPassFailure();
  }

  Totals totals;
  std::vector<WeightMatmul> found;
  std::vector<SkippedMatmul> unsupported;
  findWeightMatmuls(module, found, unsupported);
  for (const SkippedMatmul &skip : unsupported) {
    skip.op->emitRemark() << "not quantized: " << skip.reason;
    skipped(totals);
  }

  Sources sources;
  if (failed(openSources(module, found, sources)))
    return signalPassFailure();

  std::vector<Job> jobs;
  std::vector<Operation *> maybeDead;
  if (failed(planJobs(found, settings, sources, jobs, totals)) ||
      failed(replaceFloats(jobs, sources, totals)) ||
      (settings.budget &&
       failed(applyBudget(jobs, sources, *settings.budget))) ||
      failed(quantizeJobs(jobs, sources, totals, maybeDead)))
    return signalPassFailure();
  eraseDeadFeeders(maybeDead);
  printSummary(totals);
}

void DQQuantizePass::printSummary(const Totals &totals) {
  if (quiet || (!totals.quantized && !totals.skipped && !totals.replaced))
    return;
  std::string imported =
      totals.imported ? llvm::formatv(" ({0} imported)", totals.imported).str()
                      : "";
  std::string replaced =
      totals.replaced
          ? llvm::formatv(", {0} constant(s) replaced", totals.replaced).str()
          : "";
  llvm::errs() << llvm::formatv(
      "dq-quantize: {0} layer(s) quantized{5}, {1} left in float{6}; weights "
      "{2} -> {3} bytes ({4:f1}x smaller)\n",
      totals.quantized, totals.skipped, totals.floatBytes, totals.quantBytes,
      totals.quantBytes ? double(totals.floatBytes) / totals.quantBytes : 0.0,
      imported, replaced);
}

void DQQuantizePass::report(const Job &job, size_t index, size_t count) {
  if (quiet)
    return;
  const QuantizedLayer &r = *job.result;
  std::string group = r.GroupSize == r.Cols ? std::string("per-channel")
                                            : "g" + std::to_string(r.GroupSize);
  if (job.imported) {
    llvm::errs() << llvm::formatv(
        "dq-quantize: [{0}/{1}] {2} {3}x{4} imported W{5} {6} {7}\n", index,
        count, job.matmul.name, r.Rows, r.Cols, r.Bits, group,
        ::dq::getScaleTypeName(r.Scale));
    return;
  }
  llvm::errs() << llvm::formatv(
      "dq-quantize: [{0}/{1}] {2} {3}x{4} {5} W{6} {7}: error {8:e3}, "
      "{9:f2} s\n",
      index, count, job.matmul.name, r.Rows, r.Cols, job.options.Method, r.Bits,
      group, r.NormalizedError, job.seconds);
}

void DQQuantizePass::apply(Job &job, Totals &totals,
                           std::vector<Operation *> &maybeDead) {
  const QuantizedLayer &r = *job.result;
  WeightMatmul &m = job.matmul;
  Operation *op = m.op.getOperation();
  MLIRContext *ctx = op->getContext();
  OpBuilder builder(op);
  Location loc = op->getLoc();

  Type scaleType = scaleMLIRType(ctx, r.Scale);
  auto weightType =
      WeightType::get(ctx, r.Rows, r.Cols, r.Bits, r.GroupSize, scaleType);
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
  totals.imported += job.imported;
  totals.floatBytes += replaced;
  totals.quantBytes += stored;
}

} // namespace
