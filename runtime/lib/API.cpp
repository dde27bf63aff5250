//===- API.cpp - the dqrt_* C API -----------------------------------------===//

#include "Internal.h"

#include "llvm/Support/FileSystem.h"

using namespace dqrt;

namespace {

dqrt_status nullArgument(const char *what) {
  return toStatus(makeError(DQRT_INVALID_ARGUMENT,
                            llvm::Twine(what) + " must not be NULL"));
}

dqrt_status describe(const std::vector<TensorType> &types, const char *kind,
                     size_t index, dqrt_dtype *dtype, int32_t *rank,
                     int64_t *dims, size_t maxDims) {
  if (index >= types.size())
    return toStatus(makeError(DQRT_INVALID_ARGUMENT,
                              llvm::Twine(kind) + " index " +
                                  llvm::Twine(index) + " out of range (" +
                                  llvm::Twine(types.size()) + ")"));
  const TensorType &type = types[index];
  if (dtype)
    *dtype = type.dtype;
  if (rank)
    *rank = static_cast<int32_t>(type.dims.size());
  if (dims) {
    if (maxDims < type.dims.size())
      return toStatus(makeError(DQRT_INVALID_ARGUMENT,
                                "dims holds " + llvm::Twine(maxDims) +
                                    " values, rank is " +
                                    llvm::Twine(type.dims.size())));
    std::copy(type.dims.begin(), type.dims.end(), dims);
  }
  return nullptr;
}

} // namespace

extern "C" {

void dqrt_runtime_options_init(dqrt_runtime_options *options) {
  if (!options)
    return;
  options->device = DQRT_DEVICE_CPU;
  options->num_threads = 0;
  options->jit_opt_level = 3;
}

dqrt_status dqrt_runtime_create(const dqrt_runtime_options *options,
                                dqrt_runtime *out) {
  if (!options)
    return nullArgument("options");
  if (!out)
    return nullArgument("out");
  int device = getRawEnumValue(options->device);
  if (device != DQRT_DEVICE_CPU && device != DQRT_DEVICE_CUDA)
    return toStatus(makeError(DQRT_INVALID_ARGUMENT,
                              "unknown device kind " + llvm::Twine(device)));
  if (options->num_threads < 0)
    return toStatus(makeError(DQRT_INVALID_ARGUMENT,
                              "num_threads must be >= 0, got " +
                                  llvm::Twine(options->num_threads)));
  if (options->jit_opt_level < 0 || options->jit_opt_level > 3)
    return toStatus(makeError(DQRT_INVALID_ARGUMENT,
                              "jit_opt_level must be 0..3, got " +
                                  llvm::Twine(options->jit_opt_level)));
  if (options->device == DQRT_DEVICE_CUDA)
    if (llvm::Error err = checkCUDAAvailable())
      return toStatus(std::move(err));
  *out = new dqrt_runtime_s{*options};
  return nullptr;
}

void dqrt_runtime_destroy(dqrt_runtime runtime) {
  delete runtime;
  releasePool();
}

dqrt_status dqrt_module_load(dqrt_runtime runtime, const char *path,
                             dqrt_module *out) {
  if (!runtime)
    return nullArgument("runtime");
  if (!path)
    return nullArgument("path");
  if (!out)
    return nullArgument("out");
  llvm::StringRef file(path);
  if (!llvm::sys::fs::exists(file))
    return toStatus(
        makeError(DQRT_NOT_FOUND, "module file '" + file + "' does not exist"));
  llvm::Expected<std::unique_ptr<Executable>> executable =
      file.ends_with(".so") ? loadSharedObject(file, runtime->options)
                            : loadJIT(file, runtime->options);
  if (!executable)
    return toStatus(executable.takeError());
  auto *module = new dqrt_module_s;
  module->runtime = runtime;
  module->executable = std::move(*executable);
  *out = module;
  return nullptr;
}

void dqrt_module_destroy(dqrt_module module) { delete module; }

dqrt_status dqrt_module_lookup(dqrt_module module, const char *name,
                               dqrt_function *out) {
  if (!module)
    return nullArgument("module");
  if (!name)
    return nullArgument("name");
  if (!out)
    return nullArgument("out");
  auto cached = module->functions.find(name);
  if (cached != module->functions.end()) {
    *out = cached->second.get();
    return nullptr;
  }
  const auto &abis = module->executable->abis();
  auto abi = abis.find(name);
  if (abi == abis.end()) {
    std::string available;
    for (const auto &entry : abis)
      available += (available.empty() ? "" : ", ") + entry.first;
    return toStatus(makeError(
        DQRT_NOT_FOUND,
        "function '" + llvm::Twine(name) + "' not found in the module" +
            (available.empty()
                 ? llvm::Twine("; it has no function compiled with a "
                               "signature (use dq-opt --dq-cpu-pipeline)")
                 : llvm::Twine("; available: ") + available)));
  }
  llvm::Expected<Signature> signature = parseSignature(abi->second, name);
  if (!signature)
    return toStatus(signature.takeError());
  llvm::Expected<void *> entry =
      module->executable->lookup(std::string("_mlir_ciface_") + name);
  if (!entry)
    return toStatus(entry.takeError());
  auto function = std::make_unique<dqrt_function_s>();
  function->module = module;
  function->name = name;
  function->signature = std::move(*signature);
  function->entry = *entry;
  *out = function.get();
  module->functions[name] = std::move(function);
  return nullptr;
}

size_t dqrt_function_num_args(dqrt_function function) {
  return function ? function->signature.args.size() : 0;
}

size_t dqrt_function_num_results(dqrt_function function) {
  return function ? function->signature.results.size() : 0;
}

int64_t dqrt_function_result_tied_arg(dqrt_function function, size_t index) {
  if (!function || index >= function->signature.tiedArg.size() ||
      !function->signature.tiedArg[index])
    return -1;
  return static_cast<int64_t>(*function->signature.tiedArg[index]);
}

size_t dqrt_function_num_tied_copies(dqrt_function function) {
  return function ? function->tiedCopies : 0;
}

dqrt_status dqrt_function_arg_type(dqrt_function function, size_t index,
                                   dqrt_dtype *dtype, int32_t *rank,
                                   int64_t *dims, size_t maxDims) {
  if (!function)
    return nullArgument("function");
  return describe(function->signature.args, "argument", index, dtype, rank,
                  dims, maxDims);
}

dqrt_status dqrt_function_result_type(dqrt_function function, size_t index,
                                      dqrt_dtype *dtype, int32_t *rank,
                                      int64_t *dims, size_t maxDims) {
  if (!function)
    return nullArgument("function");
  return describe(function->signature.results, "result", index, dtype, rank,
                  dims, maxDims);
}

dqrt_dtype dqrt_buffer_dtype(dqrt_buffer buffer) { return buffer->dtype; }

int32_t dqrt_buffer_rank(dqrt_buffer buffer) {
  return static_cast<int32_t>(buffer->shape.size());
}

const int64_t *dqrt_buffer_shape(dqrt_buffer buffer) {
  return buffer->shape.data();
}

size_t dqrt_buffer_num_elements(dqrt_buffer buffer) {
  return buffer->numElements;
}

void *dqrt_buffer_data(dqrt_buffer buffer) { return buffer->data; }

void dqrt_buffer_destroy(dqrt_buffer buffer) {
  if (!buffer)
    return;
  poolFree(buffer->allocation);
  delete buffer;
}

dqrt_status dqrt_function_invoke(dqrt_function function,
                                 const dqrt_buffer_view *args, size_t numArgs,
                                 dqrt_buffer *results, size_t numResults) {
  if (!function)
    return nullArgument("function");
  if (numArgs && !args)
    return nullArgument("args");
  if (numResults && !results)
    return nullArgument("results");
  const Executable &code = *function->module->executable;
  if (code.usesOpenMP())
    setOpenMPThreads(function->module->runtime->options.num_threads);
  llvm::MutableArrayRef<dqrt_buffer> out(results, numResults);
  for (dqrt_buffer &buffer : out)
    buffer = nullptr;
  clearPendingError();
  llvm::Error err = invoke(function->entry, function->name, function->signature,
                           llvm::ArrayRef<dqrt_buffer_view>(args, numArgs), out,
                           function->tiedCopies);
  // A failed observation, mgpu* call or missing function leaves its error
  // behind: it fails the invocation, which hands out no results.
  if (!err)
    if ((err = takePendingError()))
      err = prefixError(std::move(err), "'" + function->name + "' failed: ");
  if (err)
    for (dqrt_buffer &buffer : out) {
      dqrt_buffer_destroy(buffer);
      buffer = nullptr;
    }
  return toStatus(std::move(err));
}

} // extern "C"
