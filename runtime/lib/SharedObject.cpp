//===- SharedObject.cpp - loading ahead-of-time compiled modules ----------===//
//
// dq-compile writes a shared object with the `_mlir_ciface_*` entry points and
// one extra symbol, `_dq_abi_index`: a JSON object mapping each public
// function to its signature; GPU modules also get `_dq_requires_device`
// ("cuda"). Loading needs no LLVM. The object's undefined symbols (memrefCopy,
// mgpu*, the bf16 truncations) resolve to libdqrt's when it is opened.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include "llvm/Support/JSON.h"

#include <dlfcn.h>

using namespace dqrt;

namespace {

/// Makes libdqrt's symbols global (once), so that shared objects resolve
/// their references to it even when an application dlopen'ed libdqrt with
/// RTLD_LOCAL (as Python's ctypes does).
void promoteRuntimeSymbols() {
  static const bool promoted = [] {
    Dl_info info;
    if (!dladdr(reinterpret_cast<void *>(&promoteRuntimeSymbols), &info) ||
        !info.dli_fname)
      return false;
    return dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL) !=
           nullptr; // keeps a reference, for the process
  }();
  (void)promoted;
}

class SharedObjectExecutable : public Executable {
public:
  ~SharedObjectExecutable() override {
    if (handle)
      dlclose(handle);
  }

  llvm::Error load(llvm::StringRef path, const dqrt_runtime_options &opts) {
    std::string name = path.str();
    // A path without '/' would be searched in the library path instead.
    if (name.find('/') == std::string::npos)
      name = "./" + name;
    promoteRuntimeSymbols();
    // dlopen runs the global constructors, which load GPU kernels and
    // report failures as a pending error.
    clearPendingError();
    handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    llvm::Error kernelError = takePendingError();
    if (!handle) {
      llvm::consumeError(std::move(kernelError));
      return makeError(DQRT_INVALID_MODULE, "cannot load shared object '" +
                                                path + "': " + dlerror());
    }
    auto *device =
        static_cast<const char *const *>(dlsym(handle, "_dq_requires_device"));
    cuda = device && *device && llvm::StringRef(*device) == "cuda";
    if (cuda && opts.device != DQRT_DEVICE_CUDA) {
      llvm::consumeError(std::move(kernelError));
      return makeError(DQRT_INVALID_ARGUMENT,
                       "module '" + path +
                           "' launches GPU kernels; load it with device "
                           "'cuda' (dq-run --device cuda)");
    }
    if (kernelError)
      return prefixError(std::move(kernelError),
                         "cannot load the GPU kernels of '" + path + "': ");
    auto *index =
        static_cast<const char *const *>(dlsym(handle, "_dq_abi_index"));
    if (!index || !*index)
      return makeError(DQRT_INVALID_MODULE,
                       "'" + path +
                           "' is not a dq module (no _dq_abi_index; build it "
                           "with dq-compile)");
    llvm::Expected<llvm::json::Value> json = llvm::json::parse(*index);
    const llvm::json::Object *object = json ? json->getAsObject() : nullptr;
    if (!object)
      return makeError(
          DQRT_INVALID_MODULE,
          "'" + path + "' has a malformed _dq_abi_index" +
              (json ? std::string() : ": " + toString(json.takeError())));
    for (const auto &[function, abi] : *object)
      if (std::optional<llvm::StringRef> text = abi.getAsString())
        abiIndex[function.str()] = text->str();
    // dq-compile linked libomp into modules that need it.
    openMP = adoptOpenMPFrom(handle);
    return llvm::Error::success();
  }

  llvm::Expected<void *> lookup(llvm::StringRef symbol) override {
    void *address = dlsym(handle, symbol.str().c_str());
    if (!address)
      return makeError(DQRT_NOT_FOUND,
                       "symbol '" + symbol + "' not found in shared object");
    return address;
  }

private:
  void *handle = nullptr;
};

} // namespace

llvm::Expected<std::unique_ptr<Executable>>
dqrt::loadSharedObject(llvm::StringRef path,
                       const dqrt_runtime_options &options) {
  auto executable = std::make_unique<SharedObjectExecutable>();
  if (llvm::Error err = executable->load(path, options))
    return std::move(err);
  return std::unique_ptr<Executable>(std::move(executable));
}
