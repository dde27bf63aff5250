//===- CUDADriver.cpp - loading the CUDA driver at run time ---------------===//

#include "CUDADriver.h"
#include "Internal.h"

#include <dlfcn.h>
#include <mutex>
#include <type_traits>

using namespace dqrt;

namespace {

constexpr const char *kLibraryName = "libcuda.so.1";

llvm::Error unavailable(const llvm::Twine &why) {
  return makeError(DQRT_UNAVAILABLE,
                   "no CUDA driver/device found for device 'cuda': " + why);
}

/// The driver, loaded once; `error` holds why not.
struct LoadedDriver {
  cu::Driver driver{};
  std::string error;
};

LoadedDriver load() {
  LoadedDriver loaded;
  // The driver stays loaded for the process: kernel modules and
  // allocations outlive any one runtime.
  void *library = dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    loaded.error =
        std::string("cannot load ") + kLibraryName + " (" + dlerror() + ")";
    return loaded;
  }
  std::string missing;
  auto resolve = [&](auto &slot, const char *name, bool required = true) {
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(
        dlsym(library, name));
    if (!slot && required)
      missing += std::string(missing.empty() ? "" : ", ") + name;
  };
  cu::Driver &d = loaded.driver;
  resolve(d.init, "cuInit");
  resolve(d.deviceGetCount, "cuDeviceGetCount");
  resolve(d.deviceGet, "cuDeviceGet");
  resolve(d.deviceGetName, "cuDeviceGetName");
  resolve(d.devicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  resolve(d.ctxPushCurrent, "cuCtxPushCurrent_v2");
  resolve(d.ctxPopCurrent, "cuCtxPopCurrent_v2");
  resolve(d.getErrorName, "cuGetErrorName");
  resolve(d.getErrorString, "cuGetErrorString");
  resolve(d.moduleLoadData, "cuModuleLoadData");
  resolve(d.moduleLoadDataEx, "cuModuleLoadDataEx");
  resolve(d.moduleUnload, "cuModuleUnload");
  resolve(d.moduleGetFunction, "cuModuleGetFunction");
  resolve(d.launchKernel, "cuLaunchKernel");
  resolve(d.launchKernelEx, "cuLaunchKernelEx", /*required=*/false);
  resolve(d.streamCreate, "cuStreamCreate");
  resolve(d.streamDestroy, "cuStreamDestroy_v2");
  resolve(d.streamSynchronize, "cuStreamSynchronize");
  resolve(d.streamWaitEvent, "cuStreamWaitEvent");
  resolve(d.eventCreate, "cuEventCreate");
  resolve(d.eventDestroy, "cuEventDestroy_v2");
  resolve(d.eventRecord, "cuEventRecord");
  resolve(d.eventSynchronize, "cuEventSynchronize");
  resolve(d.memAlloc, "cuMemAlloc_v2");
  resolve(d.memAllocManaged, "cuMemAllocManaged");
  resolve(d.memFree, "cuMemFree_v2");
  resolve(d.memcpyAsync, "cuMemcpyAsync");
  resolve(d.memcpyHtoD, "cuMemcpyHtoD_v2");
  resolve(d.memsetD32Async, "cuMemsetD32Async");
  resolve(d.memsetD16Async, "cuMemsetD16Async");
  resolve(d.memHostRegister, "cuMemHostRegister_v2");
  resolve(d.memHostUnregister, "cuMemHostUnregister");
  resolve(d.tensorMapEncodeTiled, "cuTensorMapEncodeTiled",
          /*required=*/false);
  if (!missing.empty()) {
    loaded.error = std::string(kLibraryName) + " lacks " + missing;
    return loaded;
  }
  if (cu::Result result = d.init(0)) {
    loaded.error = std::string(kLibraryName) +
                   " failed to initialize (cuInit: " + cu::describe(d, result) +
                   ")";
    return loaded;
  }
  return loaded;
}

} // namespace

llvm::Expected<const cu::Driver *> cu::getDriver() {
  static const LoadedDriver loaded = load();
  if (!loaded.error.empty())
    return unavailable(loaded.error);
  return &loaded.driver;
}

std::string cu::describe(const Driver &driver, Result result) {
  const char *name = nullptr, *text = nullptr;
  if (driver.getErrorName)
    driver.getErrorName(result, &name);
  if (driver.getErrorString)
    driver.getErrorString(result, &text);
  std::string out = name ? name : "CUDA error " + std::to_string(result);
  if (text)
    out += std::string(" (") + text + ")";
  return out;
}

llvm::Error dqrt::checkCUDAAvailable() {
  llvm::Expected<const cu::Driver *> driver = cu::getDriver();
  if (!driver)
    return driver.takeError();
  int count = 0;
  if (cu::Result result = (*driver)->deviceGetCount(&count))
    return unavailable("cuDeviceGetCount: " + cu::describe(**driver, result));
  if (count == 0)
    return unavailable(llvm::Twine(kLibraryName) + " reports no device");
  return llvm::Error::success();
}
