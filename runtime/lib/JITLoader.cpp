//===- JITLoader.cpp - JIT-compiled modules through libdqrt_jit -----------===//
//
// libdqrt opens the JIT plugin (libdqrt_jit.so, next to libdqrt.so) the
// first time a `.mlir` module is loaded; see JITPlugin.h. Without it,
// ahead-of-time modules still load, and `.mlir` ones get a clear error.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "JITPlugin.h"

#include "llvm/Support/Path.h"

#include <dlfcn.h>
#include <mutex>

using namespace dqrt;

namespace {

struct Plugin {
  dqrt_jit_load_fn load = nullptr;
  dqrt_jit_lookup_fn lookup = nullptr;
  dqrt_jit_num_functions_fn numFunctions = nullptr;
  dqrt_jit_function_fn functionName = nullptr;
  dqrt_jit_function_fn functionABI = nullptr;
  dqrt_jit_flag_fn usesOpenMP = nullptr;
  dqrt_jit_flag_fn usesCUDA = nullptr;
  dqrt_jit_destroy_fn destroy = nullptr;
  std::string error; // why the plugin is unusable
};

/// Directory of libdqrt.so itself.
std::string runtimeDirectory() {
  Dl_info info;
  if (!dladdr(reinterpret_cast<void *>(&runtimeDirectory), &info) ||
      !info.dli_fname)
    return ".";
  return llvm::sys::path::parent_path(info.dli_fname).str();
}

Plugin openPlugin() {
  Plugin plugin;
  std::string path = runtimeDirectory() + "/libdqrt_jit.so";
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    plugin.error = "cannot load the JIT plugin '" + path + "' (" + dlerror() +
                   "); it needs LLVM/MLIR 22. Ahead-of-time modules "
                   "(dq-compile) need neither";
    return plugin;
  }
  auto version = reinterpret_cast<dqrt_jit_plugin_version_fn>(
      dlsym(handle, "dqrt_jit_plugin_version"));
  if (!version || version() != DQRT_JIT_PLUGIN_VERSION) {
    plugin.error = "'" + path + "' is not a JIT plugin for this libdqrt";
    return plugin;
  }
  auto get = [&](auto &slot, const char *name) {
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(
        dlsym(handle, name));
    if (!slot && plugin.error.empty())
      plugin.error = "'" + path + "' lacks " + name;
  };
  get(plugin.load, "dqrt_jit_load");
  get(plugin.lookup, "dqrt_jit_lookup");
  get(plugin.numFunctions, "dqrt_jit_num_functions");
  get(plugin.functionName, "dqrt_jit_function_name");
  get(plugin.functionABI, "dqrt_jit_function_abi");
  get(plugin.usesOpenMP, "dqrt_jit_uses_openmp");
  get(plugin.usesCUDA, "dqrt_jit_uses_cuda");
  get(plugin.destroy, "dqrt_jit_destroy");
  return plugin;
}

const Plugin &plugin() {
  static const Plugin loaded = openPlugin();
  return loaded;
}

dqrt_status makeStatus(dqrt_status_code code, const char *message) {
  return new dqrt_status_s{code, message};
}

dqrt_status loadOpenMP() { return toStatus(loadOpenMPGlobally()); }

dqrt_status takePendingErrorStatus() { return toStatus(takePendingError()); }

/// The services the plugin gets, built once.
const dqrt_jit_host &host() {
  static const struct Host {
    std::vector<std::pair<const char *, void *>> symbols = getRuntimeSymbols();
    std::vector<const char *> names;
    std::vector<void *> addresses;
    dqrt_jit_host host;
    Host() {
      for (auto [name, address] : symbols) {
        names.push_back(name);
        addresses.push_back(address);
      }
      host = {makeStatus,
              symbols.size(),
              names.data(),
              addresses.data(),
              loadOpenMP,
              clearPendingError,
              takePendingErrorStatus};
    }
  } instance;
  return instance.host;
}

/// A status from the plugin as an error (consumes it).
llvm::Error fromStatus(dqrt_status status) {
  if (!status)
    return llvm::Error::success();
  llvm::Error err = makeError(status->code, status->message);
  dqrt_status_free(status);
  return err;
}

class JITExecutable : public Executable {
public:
  JITExecutable(const Plugin &plugin, dqrt_jit_module module)
      : plugin(plugin), module(module) {
    for (size_t i = 0, e = plugin.numFunctions(module); i < e; ++i)
      abiIndex[plugin.functionName(module, i)] = plugin.functionABI(module, i);
    openMP = plugin.usesOpenMP(module);
    cuda = plugin.usesCUDA(module);
  }
  ~JITExecutable() override { plugin.destroy(module); }

  llvm::Expected<void *> lookup(llvm::StringRef symbol) override {
    void *address = nullptr;
    if (llvm::Error err = fromStatus(
            plugin.lookup(&host(), module, symbol.str().c_str(), &address)))
      return std::move(err);
    return address;
  }

private:
  const Plugin &plugin;
  dqrt_jit_module module;
};

} // namespace

llvm::Expected<std::unique_ptr<Executable>>
dqrt::loadJIT(llvm::StringRef path, const dqrt_runtime_options &options) {
  const Plugin &jit = plugin();
  if (!jit.error.empty())
    return makeError(DQRT_UNAVAILABLE,
                     "cannot JIT-compile '" + path + "': " + jit.error);
  dqrt_jit_module module = nullptr;
  if (llvm::Error err =
          fromStatus(jit.load(&host(), path.str().c_str(), &options, &module)))
    return std::move(err);
  return std::unique_ptr<Executable>(new JITExecutable(jit, module));
}
