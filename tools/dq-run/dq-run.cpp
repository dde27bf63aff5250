//===- dq-run.cpp - run a compiled dq module ------------------------------===//
//
// dq-run MODULE --function F --input a.npy [--input b.safetensors:w ...]
//        [--output out.npy ...] [--device cpu|cuda] [--threads T]
//        [--benchmark N [--warmup W]] [--profile [--profile-json F]]
// dq-run MODULE --function F --calibrate INPUTS... --stats-out
// stats.safetensors
//
// A thin driver over the dqrt C API: MODULE is an LLVM-dialect .mlir from
// dq-opt (JIT-compiled) or a shared object from dq-compile. Inputs are checked
// against the function's signature; results are printed like numpy, or
// written atomically with --output. With --calibrate, the function of an
// instrumented module (dq-opt --dq-instrument) runs once per calibration
// sample and the observed layer statistics are written to --stats-out. Exit
// status: 0 on success, 1 on any error (2 for a command line that does not
// parse).
//
//===----------------------------------------------------------------------===//

#include "Print.h"
#include "Profile.h"
#include "TensorFiles.h"

#include "dqrt/dqrt.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <numeric>

using namespace dqrun;
using llvm::Twine;

namespace {

namespace cl = llvm::cl;

/// The command line, built in main.
struct Options {
  cl::OptionCategory category{"dq-run options"};
  cl::opt<std::string> module{cl::Positional, cl::Required,
                              cl::desc("<module.mlir | module.so>"),
                              cl::cat(category)};
  cl::list<std::string> samples{
      cl::Positional,
      cl::desc("[calibration inputs: .npy files (one-argument functions) or "
               "directories of them, or of one folder of .npy files per "
               "sample]"),
      cl::cat(category)};
  cl::opt<bool> calibrate{"calibrate",
                          cl::desc("Run the function once per calibration "
                                   "sample and write the observed statistics "
                                   "to --stats-out"),
                          cl::cat(category)};
  cl::opt<std::string> statsOut{
      "stats-out", cl::desc("Statistics file written by --calibrate"),
      cl::value_desc("stats.safetensors"), cl::cat(category)};
  cl::opt<std::string> function{"function", cl::Required,
                                cl::desc("Function to call"),
                                cl::value_desc("name"), cl::cat(category)};
  cl::list<std::string> inputs{
      "input",
      cl::desc("Argument, in order: a .npy file or file.safetensors:name"),
      cl::value_desc("file"), cl::cat(category)};
  cl::list<std::string> outputs{
      "output",
      cl::desc("Where to write each result (.npy or file.safetensors:name); "
               "without, results print"),
      cl::value_desc("file"), cl::cat(category)};
  cl::opt<dqrt_device_kind> device{
      "device", cl::desc("Device to run on"),
      cl::values(clEnumValN(DQRT_DEVICE_CPU, "cpu", "the host CPU"),
                 clEnumValN(DQRT_DEVICE_CUDA, "cuda",
                            "an NVIDIA GPU through the CUDA driver")),
      cl::init(DQRT_DEVICE_CPU), cl::cat(category)};
  cl::opt<unsigned> threads{"threads",
                            cl::desc("Threads for multi-threaded code (0: "
                                     "all cores, or OMP_NUM_THREADS)"),
                            cl::init(0), cl::cat(category)};
  cl::opt<unsigned> optLevel{"opt-level",
                             cl::desc("JIT optimization level (0-3)"),
                             cl::init(3), cl::cat(category)};
  cl::opt<unsigned> benchmark{"benchmark",
                              cl::desc("Time N runs after warming up; print "
                                       "min/median/max and a JSON line"),
                              cl::value_desc("N"), cl::init(0),
                              cl::cat(category)};
  cl::opt<unsigned> warmup{"warmup",
                           cl::desc("Untimed runs before --benchmark's"),
                           cl::value_desc("W"), cl::init(1), cl::cat(category)};
  cl::opt<bool> profile{
      "profile",
      cl::desc("Print the time per op class and per kernel call or loop "
               "nest, over --benchmark runs (default 10), of a module "
               "compiled with --dq-cpu-pipeline=profile=true"),
      cl::cat(category)};
  cl::opt<std::string> profileJson{
      "profile-json", cl::desc("Also write --profile's figures as JSON"),
      cl::value_desc("file"), cl::cat(category)};
  cl::opt<unsigned> profileTop{
      "profile-top", cl::desc("Regions --profile lists"), cl::value_desc("N"),
      cl::init(25), cl::cat(category)};
};

const Options *opts = nullptr;

int fail(const Twine &message) {
  llvm::errs() << "dq-run: error: " << message << "\n";
  return 1;
}

/// Owns a C API status; converts it into a message.
struct Status {
  dqrt_status status;
  explicit operator bool() const { return status != nullptr; }
  std::string message() const { return dqrt_status_get_message(status); }
  ~Status() { dqrt_status_free(status); }
};

struct RuntimeDeleter {
  void operator()(dqrt_runtime r) const { dqrt_runtime_destroy(r); }
};
struct ModuleDeleter {
  void operator()(dqrt_module m) const { dqrt_module_destroy(m); }
};
struct BufferDeleter {
  void operator()(dqrt_buffer b) const { dqrt_buffer_destroy(b); }
};
using BufferPtr = std::unique_ptr<dqrt_buffer_s, BufferDeleter>;

/// The declared type of argument/result `index`.
struct DeclaredType {
  dqrt_dtype dtype;
  std::vector<int64_t> dims;
};

DeclaredType declared(dqrt_function function, size_t index, bool isArg) {
  DeclaredType type{DQRT_F32, {}};
  int32_t rank = 0;
  auto query = isArg ? dqrt_function_arg_type : dqrt_function_result_type;
  // Cannot fail: `index` is in range and `dims` holds `rank` values.
  dqrt_status_free(query(function, index, &type.dtype, &rank, nullptr, 0));
  type.dims.resize(rank);
  dqrt_status_free(
      query(function, index, nullptr, nullptr, type.dims.data(), rank));
  return type;
}

/// Checks one input against its argument; the message names both.
llvm::Error checkInput(size_t index, const TensorFileSpec &spec,
                       const dq::Tensor &tensor, const DeclaredType &want) {
  std::string expected = formatTensorType(want.dtype, want.dims);
  std::optional<dqrt_dtype> dtype = toRuntimeDType(tensor.Type);
  std::string where = "input '" + spec.str() + "' (argument #" +
                      std::to_string(index) + " of '" + opts->function + "')";
  if (!dtype)
    return llvm::createStringError(
        where + ": expected " + expected + ", got element type " +
        dq::getDTypeName(tensor.Type) +
        ", which the runtime does not take (f32, f16, bf16, f64, bool, i8, "
        "i32, i64)");
  bool ok = *dtype == want.dtype && tensor.Shape.size() == want.dims.size();
  for (size_t d = 0; ok && d < want.dims.size(); ++d)
    ok = want.dims[d] < 0 || want.dims[d] == tensor.Shape[d];
  if (!ok)
    return llvm::createStringError(where + ": expected " + expected + ", got " +
                                   formatTensorType(*dtype, tensor.Shape));
  return llvm::Error::success();
}

/// Reads one tensor file per argument, checks each against the signature
/// and fills `views` over `tensors` (which must outlive them).
llvm::Error loadArguments(dqrt_function function,
                          llvm::ArrayRef<std::string> files,
                          std::vector<dq::Tensor> &tensors,
                          std::vector<dqrt_buffer_view> &views) {
  tensors.clear();
  views.clear();
  for (auto [i, text] : llvm::enumerate(files)) {
    TensorFileSpec spec = parseTensorFileSpec(text);
    llvm::Expected<dq::Tensor> tensor = readTensorFile(spec);
    if (!tensor)
      return tensor.takeError();
    if (llvm::Error err =
            checkInput(i, spec, *tensor, declared(function, i, true)))
      return err;
    tensors.push_back(std::move(*tensor));
  }
  for (dq::Tensor &tensor : tensors)
    views.push_back({*toRuntimeDType(tensor.Type),
                     static_cast<int32_t>(tensor.Shape.size()),
                     tensor.Shape.data(), tensor.Data.data()});
  return llvm::Error::success();
}

/// Calls the function once; results owned by `results`.
llvm::Error call(dqrt_function function,
                 const std::vector<dqrt_buffer_view> &views,
                 std::vector<BufferPtr> &results) {
  std::vector<dqrt_buffer> raw(dqrt_function_num_results(function), nullptr);
  Status status{dqrt_function_invoke(function, views.data(), views.size(),
                                     raw.data(), raw.size())};
  if (status)
    return llvm::createStringError(status.message());
  results.clear();
  for (dqrt_buffer buffer : raw)
    results.emplace_back(buffer);
  return llvm::Error::success();
}

dq::Tensor toTensor(dqrt_buffer buffer) {
  dq::Tensor tensor;
  tensor.Type = *toFileDType(dqrt_buffer_dtype(buffer));
  const int64_t *shape = dqrt_buffer_shape(buffer);
  tensor.Shape.assign(shape, shape + dqrt_buffer_rank(buffer));
  auto *bytes = static_cast<const uint8_t *>(dqrt_buffer_data(buffer));
  tensor.Data.assign(bytes,
                     bytes + dqrt_buffer_num_elements(buffer) *
                                 dqrt_dtype_size(dqrt_buffer_dtype(buffer)));
  return tensor;
}

int runBenchmark(dqrt_function function,
                 const std::vector<dqrt_buffer_view> &views,
                 std::vector<BufferPtr> &results) {
  llvm::errs() << "dq-run: benchmark of '" << opts->function
               << "': " << opts->warmup << " warm-up + " << opts->benchmark
               << " timed runs\n";
  for (unsigned i = 0; i < opts->warmup; ++i)
    if (llvm::Error err = call(function, views, results))
      return fail(llvm::toString(std::move(err)));
  std::vector<double> micros;
  for (unsigned i = 0; i < opts->benchmark; ++i) {
    std::vector<dqrt_buffer> raw(dqrt_function_num_results(function));
    auto start = std::chrono::steady_clock::now();
    Status status{dqrt_function_invoke(function, views.data(), views.size(),
                                       raw.data(), raw.size())};
    auto stop = std::chrono::steady_clock::now();
    if (status)
      return fail(status.message());
    results.clear();
    for (dqrt_buffer buffer : raw)
      results.emplace_back(buffer);
    micros.push_back(
        std::chrono::duration<double, std::micro>(stop - start).count());
  }
  std::sort(micros.begin(), micros.end());
  size_t n = micros.size();
  double median =
      n % 2 ? micros[n / 2] : (micros[n / 2 - 1] + micros[n / 2]) / 2;
  // Whether the calls' intermediates came from the runtime's buffer pool:
  // modules compiled before it existed, or a limit of 0, show none reused.
  dqrt_pool_stats pool;
  dqrt_get_pool_stats(&pool);
  llvm::outs() << llvm::format("buffer pool: %llu of %llu allocations of 64 "
                               "KiB or more reused, %.1f MiB cached\n",
                               (unsigned long long)pool.reused,
                               (unsigned long long)pool.allocations,
                               pool.cached_bytes / 1048576.0);
  llvm::outs() << llvm::format("min %.3f us, median %.3f us, max %.3f us "
                               "(%zu runs)\n",
                               micros.front(), median, micros.back(), n);
  llvm::json::Object summary{
      {"function", opts->function},
      {"device", opts->device == DQRT_DEVICE_CUDA ? "cuda" : "cpu"},
      {"threads", int64_t(opts->threads)},
      {"runs", int64_t(n)},
      {"min_us", micros.front()},
      {"median_us", median},
      {"max_us", micros.back()},
      // The median hides a bimodal spread (a worker that lost its core);
      // the mean counts it.
      {"mean_us", std::accumulate(micros.begin(), micros.end(), 0.0) / n},
      {"pool_allocations", int64_t(pool.allocations)},
      {"pool_reused", int64_t(pool.reused)}};
  llvm::outs() << llvm::json::Value(std::move(summary)) << "\n";
  return 0;
}

/// Sorted regular files ending in .npy and sorted subdirectories of `dir`.
llvm::Error listDirectory(llvm::StringRef dir, std::vector<std::string> &files,
                          std::vector<std::string> &subdirs) {
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::sys::fs::file_status status;
    if (std::error_code statErr = llvm::sys::fs::status(it->path(), status))
      return llvm::createStringError("cannot read '" + it->path() +
                                     "': " + statErr.message());
    if (llvm::sys::fs::is_directory(status))
      subdirs.push_back(it->path());
    else if (llvm::StringRef(it->path()).ends_with(".npy"))
      files.push_back(it->path());
  }
  if (ec)
    return llvm::createStringError("cannot list '" + dir +
                                   "': " + ec.message());
  llvm::sort(files);
  llvm::sort(subdirs);
  return llvm::Error::success();
}

/// Calibration samples, each one file per argument: a .npy is a sample of a
/// one-argument function; a directory holds such files, or one folder per
/// sample with one .npy per argument (in name order).
llvm::Expected<std::vector<std::vector<std::string>>>
collectSamples(llvm::ArrayRef<std::string> inputs, size_t numArgs) {
  std::vector<std::vector<std::string>> samples;
  auto single = [&](const std::string &file) -> llvm::Error {
    if (numArgs != 1)
      return llvm::createStringError(
          "'" + file + "' is one array, but '" + opts->function + "' takes " +
          Twine(numArgs) +
          " arguments: give each sample as a folder of one .npy per argument");
    samples.push_back({file});
    return llvm::Error::success();
  };
  for (const std::string &input : inputs) {
    if (!llvm::sys::fs::exists(input))
      return llvm::createStringError("calibration input '" + input +
                                     "' does not exist");
    if (!llvm::sys::fs::is_directory(input)) {
      if (llvm::Error err = single(input))
        return std::move(err);
      continue;
    }
    std::vector<std::string> files, subdirs;
    if (llvm::Error err = listDirectory(input, files, subdirs))
      return std::move(err);
    for (const std::string &file : files)
      if (llvm::Error err = single(file))
        return std::move(err);
    for (const std::string &dir : subdirs) {
      std::vector<std::string> args, nested;
      if (llvm::Error err = listDirectory(dir, args, nested))
        return std::move(err);
      if (args.size() != numArgs)
        return llvm::createStringError("sample folder '" + dir + "' has " +
                                       Twine(args.size()) + " .npy file(s); '" +
                                       opts->function + "' takes " +
                                       Twine(numArgs) + " argument(s)");
      samples.push_back(std::move(args));
    }
    if (files.empty() && subdirs.empty())
      return llvm::createStringError("calibration folder '" + input +
                                     "' has no .npy file and no sample folder");
  }
  return samples;
}

struct CalibrationDeleter {
  void operator()(dqrt_calibration c) const { dqrt_calibration_destroy(c); }
};

int runCalibration(dqrt_function function) {
  if (opts->statsOut.empty())
    return fail("--calibrate needs --stats-out FILE");
  if (opts->samples.empty())
    return fail("--calibrate needs calibration inputs after MODULE (.npy "
                "files or folders of them)");
  if (!opts->inputs.empty() || !opts->outputs.empty() || opts->benchmark)
    return fail("--calibrate takes its inputs as positional arguments; "
                "--input, --output and --benchmark do not apply");
  size_t numArgs = dqrt_function_num_args(function);
  llvm::Expected<std::vector<std::vector<std::string>>> samples =
      collectSamples(opts->samples, numArgs);
  if (!samples)
    return fail(llvm::toString(samples.takeError()));

  dqrt_calibration raw = nullptr;
  if (Status status{dqrt_calibration_create(&raw)})
    return fail(status.message());
  std::unique_ptr<dqrt_calibration_s, CalibrationDeleter> calibration(raw);
  dqrt_status_free(dqrt_calibration_attach(calibration.get()));

  bool interactive = llvm::errs().is_displayed();
  size_t total = samples->size(), lastDecile = 0;
  auto start = std::chrono::steady_clock::now();
  for (auto [i, files] : llvm::enumerate(*samples)) {
    std::vector<dq::Tensor> tensors;
    std::vector<dqrt_buffer_view> views;
    if (llvm::Error err = loadArguments(function, files, tensors, views))
      return fail(llvm::toString(std::move(err)));
    std::vector<BufferPtr> results;
    if (llvm::Error err = call(function, views, results))
      return fail("calibration sample '" + files.front() +
                  "': " + llvm::toString(std::move(err)));
    size_t done = i + 1, decile = done * 10 / total;
    if (interactive)
      llvm::errs() << "\rdq-run: calibrating: " << done << "/" << total
                   << " samples" << (done == total ? "\n" : "");
    else if (decile != lastDecile || done == total)
      llvm::errs() << "dq-run: calibrating: " << done << "/" << total
                   << " samples\n";
    lastDecile = decile;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (Status status{dqrt_calibration_write_stats(
          calibration.get(), opts->statsOut.c_str(), "dq-run --calibrate")})
    return fail(status.message());
  llvm::errs() << "dq-run: observed "
               << dqrt_calibration_num_layers(calibration.get())
               << " layer(s) over " << total << " sample(s) in "
               << llvm::format("%.2f", seconds) << " s; wrote '"
               << opts->statsOut << "'\n";
  return 0;
}

int run() {
  if (opts->optLevel > 3)
    return fail("--opt-level must be 0..3, got " + Twine(opts->optLevel));

  std::vector<TensorFileSpec> outputs;
  for (const std::string &text : opts->outputs)
    outputs.push_back(parseTensorFileSpec(text));

  dqrt_runtime_options options;
  dqrt_runtime_options_init(&options);
  options.device = opts->device;
  options.num_threads = static_cast<int32_t>(opts->threads);
  options.jit_opt_level = static_cast<int32_t>(opts->optLevel);
  dqrt_runtime rawRuntime = nullptr;
  if (Status status{dqrt_runtime_create(&options, &rawRuntime)})
    return fail(status.message());
  std::unique_ptr<dqrt_runtime_s, RuntimeDeleter> runtime(rawRuntime);

  dqrt_module rawModule = nullptr;
  if (Status status{
          dqrt_module_load(runtime.get(), opts->module.c_str(), &rawModule)})
    return fail(status.message());
  std::unique_ptr<dqrt_module_s, ModuleDeleter> module(rawModule);

  dqrt_function function = nullptr;
  if (Status status{
          dqrt_module_lookup(module.get(), opts->function.c_str(), &function)})
    return fail(status.message());

  if (!opts->profile && !opts->profileJson.empty())
    return fail("--profile-json needs --profile");
  if (opts->profile && opts->calibrate)
    return fail("--profile and --calibrate do not combine; profile a module "
                "compiled without --dq-instrument");
  if (opts->calibrate)
    return runCalibration(function);
  if (!opts->samples.empty())
    return fail("unexpected argument '" + opts->samples.front() +
                "' after the module (calibration inputs need --calibrate)");
  if (!opts->statsOut.empty())
    return fail("--stats-out needs --calibrate");

  size_t numArgs = dqrt_function_num_args(function);
  size_t numResults = dqrt_function_num_results(function);
  if (opts->inputs.size() != numArgs)
    return fail("'" + opts->function + "' takes " + Twine(numArgs) +
                " argument(s), got " + Twine(opts->inputs.size()) + " --input");
  if (!outputs.empty() && outputs.size() != numResults)
    return fail("'" + opts->function + "' returns " + Twine(numResults) +
                " result(s), got " + Twine(outputs.size()) + " --output");
  std::vector<dqrt_dtype> resultTypes;
  for (size_t i = 0; i < numResults; ++i)
    resultTypes.push_back(declared(function, i, /*isArg=*/false).dtype);
  if (!outputs.empty())
    if (llvm::Error err = checkOutputSpecs(outputs, resultTypes))
      return fail(llvm::toString(std::move(err)));

  std::vector<dq::Tensor> inputs;
  std::vector<dqrt_buffer_view> views;
  if (llvm::Error err = loadArguments(function, opts->inputs, inputs, views))
    return fail(llvm::toString(std::move(err)));

  std::vector<BufferPtr> results;
  if (opts->profile) {
    ProfileOptions profile;
    profile.function = opts->function;
    profile.warmup = opts->warmup;
    profile.runs = opts->benchmark ? opts->benchmark : 10;
    profile.top = opts->profileTop;
    profile.jsonPath = opts->profileJson;
    if (llvm::Error err = runProfile(module.get(), profile, [&] {
          return call(function, views, results);
        }))
      return fail(llvm::toString(std::move(err)));
    if (outputs.empty())
      return 0;
  } else if (opts->benchmark > 0) {
    if (int rc = runBenchmark(function, views, results))
      return rc;
  } else if (llvm::Error err = call(function, views, results)) {
    return fail(llvm::toString(std::move(err)));
  }

  if (!outputs.empty()) {
    std::vector<dq::Tensor> tensors;
    for (const BufferPtr &buffer : results)
      tensors.push_back(toTensor(buffer.get()));
    if (llvm::Error err = writeOutputs(outputs, tensors))
      return fail(llvm::toString(std::move(err)));
    return 0;
  }
  if (opts->benchmark > 0)
    return 0; // the JSON line stays the last line
  for (auto [i, buffer] : llvm::enumerate(results)) {
    dqrt_buffer b = buffer.get();
    llvm::ArrayRef<int64_t> shape(dqrt_buffer_shape(b), dqrt_buffer_rank(b));
    llvm::outs() << "result #" << i << ": "
                 << formatTensorType(dqrt_buffer_dtype(b), shape) << "\n";
    printArray(llvm::outs(), dqrt_buffer_dtype(b), shape, dqrt_buffer_data(b));
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  static Options options;
  opts = &options;
  cl::HideUnrelatedOptions(options.category);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "dq-run: run a function of a module compiled by dq-opt (JIT) or "
          "dq-compile (shared object)\n",
          &llvm::errs()))
    return 2;
  return run();
}
