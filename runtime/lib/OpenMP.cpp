//===- OpenMP.cpp - libomp for multi-threaded modules ---------------------===//
//
// Code lowered from scf.parallel (convert-scf-to-openmp) calls libomp's
// __kmpc_* entry points. The runtime does not link libomp: a JIT'd module
// gets it with dlopen(RTLD_GLOBAL) before compilation, so that its symbols
// resolve; an ahead-of-time module depends on it itself (dq-compile links it
// with an rpath). Either way the process ends up with one libomp, whose
// omp_set_num_threads the runtime calls before each invocation.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <dlfcn.h>
#include <mutex>

using namespace dqrt;

namespace {
using SetNumThreadsFn = void (*)(int);
using GetMaxThreadsFn = int (*)();

struct OpenMPState {
  std::mutex mutex;
  SetNumThreadsFn setNumThreads = nullptr;
  /// omp_get_max_threads() before the runtime changed anything: all cores,
  /// or OMP_NUM_THREADS when set. What num_threads = 0 asks for.
  int defaultThreads = 1;
};

OpenMPState &state() {
  static OpenMPState s;
  return s;
}

/// Records libomp's entry points from `handle` (once per process).
bool adopt(void *handle) {
  OpenMPState &s = state();
  if (s.setNumThreads)
    return true;
  auto set =
      reinterpret_cast<SetNumThreadsFn>(dlsym(handle, "omp_set_num_threads"));
  auto getMax =
      reinterpret_cast<GetMaxThreadsFn>(dlsym(handle, "omp_get_max_threads"));
  if (!set || !getMax)
    return false;
  s.defaultThreads = getMax();
  s.setNumThreads = set;
  return true;
}
} // namespace

llvm::Error dqrt::loadOpenMPGlobally() {
  OpenMPState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.setNumThreads)
    return llvm::Error::success();
  std::string tried;
  for (const char *name : {DQRT_LIBOMP_PATH, "libomp.so.5", "libomp.so"}) {
    if (!*name)
      continue;
    void *handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
    if (handle && adopt(handle))
      return llvm::Error::success();
    tried += std::string(tried.empty() ? "" : "; ") + name + ": " +
             (handle ? "no omp_set_num_threads" : dlerror());
  }
  return makeError(DQRT_UNAVAILABLE,
                   "the module runs OpenMP threads but libomp cannot be "
                   "loaded (" +
                       tried + "); install libomp5");
}

bool dqrt::adoptOpenMPFrom(void *handle) {
  OpenMPState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return adopt(handle);
}

void dqrt::setOpenMPThreads(int32_t numThreads) {
  OpenMPState &s = state();
  SetNumThreadsFn set;
  int threads;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    set = s.setNumThreads;
    threads = numThreads > 0 ? numThreads : s.defaultThreads;
  }
  // The thread count is an OpenMP ICV of the calling thread, which is the
  // one that runs the module's parallel regions.
  if (set)
    set(threads);
}
