//===- CUDADriver.cpp - finding a CUDA driver at run time -----------------===//
//
// libcuda.so.1 is opened with dlopen so that every dq binary starts on a
// machine without a driver; only asking for the `cuda` device needs one.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <dlfcn.h>

using namespace dqrt;

namespace {
using CUresult = int;
using CuInitFn = CUresult (*)(unsigned);
using CuDeviceGetCountFn = CUresult (*)(int *);
} // namespace

llvm::Error dqrt::checkCUDAAvailable() {
  const char *libraryName = "libcuda.so.1";
  void *library = dlopen(libraryName, RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return makeError(DQRT_UNAVAILABLE,
                     llvm::Twine("no CUDA driver/device found for device "
                                 "'cuda': cannot load ") +
                         libraryName + " (" + dlerror() + ")");
  auto cuInit = reinterpret_cast<CuInitFn>(dlsym(library, "cuInit"));
  auto cuDeviceGetCount =
      reinterpret_cast<CuDeviceGetCountFn>(dlsym(library, "cuDeviceGetCount"));
  int count = 0;
  CUresult initResult = -1, countResult = -1;
  if (cuInit && cuDeviceGetCount) {
    initResult = cuInit(0);
    if (initResult == 0)
      countResult = cuDeviceGetCount(&count);
  }
  // The driver stays loaded: a later kernel launch needs it again.
  if (initResult != 0 || countResult != 0 || count == 0)
    return makeError(DQRT_UNAVAILABLE,
                     "no CUDA driver/device found for device 'cuda': " +
                         llvm::Twine(libraryName) +
                         (initResult != 0
                              ? " failed to initialize (cuInit error " +
                                    llvm::Twine(initResult) + ")"
                              : llvm::Twine(" reports no device")));
  return llvm::Error::success();
}
