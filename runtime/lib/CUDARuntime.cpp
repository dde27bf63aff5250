//===- CUDARuntime.cpp - the mgpu* functions GPU host code calls ----------===//
//
// MLIR's `gpu-to-llvm` lowering and the translation of `gpu.binary` /
// `gpu.launch_func` to LLVM IR emit calls to a fixed set of C functions
// (MLIR's "mgpu" ABI, the one its CUDA runtime wrappers implement). libdqrt
// implements them on the CUDA driver API, loaded at run time; the names and
// signatures are exactly those LLVM 22 emits (see docs/runtime.md).
//
// Lowered code has no way to receive an error, and no abort may cross the
// runtime's API, so a failing call records its error for the calling
// thread (PendingError.cpp), returns a null handle, and makes the following
// calls on that thread no-ops (cleanup calls still release what they are
// given). The runtime reports the error after loading a module (its global
// constructors load the kernels) and after each invocation.
//
// Every call makes the primary context of the current device (0, or what
// mgpuSetDefaultDevice chose for the thread) current while it runs.
//
//===----------------------------------------------------------------------===//

#include "CUDADriver.h"
#include "Internal.h"

#include <iterator>
#include <mutex>
#include <vector>

using namespace dqrt;

namespace {

thread_local int32_t defaultDevice = 0;

void record(dqrt_status_code code, const std::string &message) {
  recordPendingError(code, message);
}

bool failed() { return hasPendingError(); }

/// The driver, or null with the error recorded.
const cu::Driver *driver() {
  llvm::Expected<const cu::Driver *> d = cu::getDriver();
  if (d)
    return *d;
  llvm::handleAllErrors(
      d.takeError(), [](const RuntimeError &e) { record(e.code, e.message); });
  return nullptr;
}

/// Records a failed driver call; true when `result` is success.
bool check(const cu::Driver &d, cu::Result result, const char *call,
           const char *context) {
  if (result == 0)
    return true;
  record(DQRT_INTERNAL, std::string("CUDA error in ") + call + " (" + context +
                            "): " + cu::describe(d, result));
  return false;
}

/// Primary contexts, retained once per device ordinal for the process.
cu::Context primaryContext(const cu::Driver &d, int32_t ordinal) {
  static std::mutex mutex;
  static std::vector<cu::Context> contexts;
  std::lock_guard<std::mutex> lock(mutex);
  if (ordinal < 0) {
    record(DQRT_INVALID_ARGUMENT,
           "invalid CUDA device ordinal " + std::to_string(ordinal));
    return nullptr;
  }
  if (size_t(ordinal) < contexts.size() && contexts[ordinal])
    return contexts[ordinal];
  cu::Device device;
  cu::Context context = nullptr;
  if (!check(d, d.deviceGet(&device, ordinal), "cuDeviceGet",
             ("device " + std::to_string(ordinal)).c_str()) ||
      !check(d, d.devicePrimaryCtxRetain(&context, device),
             "cuDevicePrimaryCtxRetain", "primary context"))
    return nullptr;
  if (contexts.size() <= size_t(ordinal))
    contexts.resize(ordinal + 1, nullptr);
  contexts[ordinal] = context;
  return context;
}

/// Makes the current device's primary context current for a scope. `ok()`
/// is false (error recorded) when there is no driver or context.
class ScopedContext {
public:
  explicit ScopedContext(bool evenAfterError = false) {
    if (failed() && !evenAfterError)
      return;
    d = driver();
    if (!d)
      return;
    cu::Context context = primaryContext(*d, defaultDevice);
    if (!context ||
        !check(*d, d->ctxPushCurrent(context), "cuCtxPushCurrent", "context"))
      return;
    pushed = true;
  }
  ~ScopedContext() {
    if (pushed) {
      cu::Context ignored;
      d->ctxPopCurrent(&ignored);
    }
  }
  bool ok() const { return pushed; }
  const cu::Driver &get() const { return *d; }

private:
  const cu::Driver *d = nullptr;
  bool pushed = false;
};

cu::DevicePtr devicePtr(const void *p) {
  return static_cast<cu::DevicePtr>(reinterpret_cast<uintptr_t>(p));
}

/// Grid and block sizes are `index` (intptr_t) in lowered code, unsigned
/// for the driver.
bool launchDims(std::initializer_list<intptr_t> dims) {
  for (intptr_t dim : dims)
    if (dim < 0 || dim > intptr_t(UINT32_MAX)) {
      record(DQRT_INVALID_ARGUMENT, "kernel launch dimension " +
                                        std::to_string(dim) + " out of range");
      return false;
    }
  return true;
}

/// A memref descriptor's dense byte range: {allocated, aligned, offset,
/// sizes[rank], strides[rank]} as 8-byte words.
bool denseRange(int64_t rank, const void *descriptor, int64_t elementSize,
                char *&data, size_t &bytes) {
  auto *words = static_cast<const int64_t *>(descriptor);
  const int64_t *sizes = words + 3, *strides = words + 3 + rank;
  int64_t count = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (sizes[d] != 1 && strides[d] != count) {
      record(DQRT_INVALID_ARGUMENT,
             "cannot register a non-contiguous memref with CUDA");
      return false;
    }
    count *= sizes[d];
  }
  data = reinterpret_cast<char *>(words[1]) + words[2] * elementSize;
  bytes = static_cast<size_t>(count * elementSize);
  return true;
}

} // namespace

#define DQRT_EXPORT extern "C" __attribute__((visibility("default")))

//===-- Modules and kernels -----------------------------------------------===//

/// A cubin or fatbin (gpu-module-to-binary format=bin|fatbin).
DQRT_EXPORT void *mgpuModuleLoad(void *data, size_t /*size*/) {
  ScopedContext scope;
  if (!scope.ok())
    return nullptr;
  cu::Module module = nullptr;
  check(scope.get(), scope.get().moduleLoadData(&module, data),
        "cuModuleLoadData", "loading GPU kernels");
  return module;
}

/// PTX (format=isa), compiled by the driver at `optLevel`; its log goes
/// into the error.
DQRT_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel) {
  ScopedContext scope;
  if (!scope.ok())
    return nullptr;
  char errorLog[4096] = {0}, infoLog[1024] = {0};
  int options[] = {cu::kJitOptimizationLevel, cu::kJitErrorLogBuffer,
                   cu::kJitErrorLogBufferSize, cu::kJitInfoLogBuffer,
                   cu::kJitInfoLogBufferSize};
  void *values[] = {reinterpret_cast<void *>(intptr_t(optLevel)), errorLog,
                    reinterpret_cast<void *>(uintptr_t(sizeof(errorLog))),
                    infoLog,
                    reinterpret_cast<void *>(uintptr_t(sizeof(infoLog)))};
  cu::Module module = nullptr;
  cu::Result result = scope.get().moduleLoadDataEx(
      &module, data, sizeof(options) / sizeof(options[0]), options, values);
  if (result != 0) {
    errorLog[sizeof(errorLog) - 1] = 0;
    std::string log = errorLog[0] ? std::string(": ") + errorLog : "";
    record(DQRT_INTERNAL, "CUDA error in cuModuleLoadDataEx (compiling PTX "
                          "at O" +
                              std::to_string(optLevel) +
                              "): " + cu::describe(scope.get(), result) + log);
    return nullptr;
  }
  return module;
}

DQRT_EXPORT void mgpuModuleUnload(void *module) {
  if (!module)
    return;
  ScopedContext scope(/*evenAfterError=*/true);
  if (scope.ok())
    check(scope.get(),
          scope.get().moduleUnload(static_cast<cu::Module>(module)),
          "cuModuleUnload", "unloading GPU kernels");
}

DQRT_EXPORT void *mgpuModuleGetFunction(void *module, const char *name) {
  ScopedContext scope;
  if (!scope.ok())
    return nullptr;
  if (!module) {
    record(DQRT_INTERNAL,
           std::string("kernel '") + name + "': its GPU module was not loaded");
    return nullptr;
  }
  cu::Function function = nullptr;
  check(scope.get(),
        scope.get().moduleGetFunction(&function,
                                      static_cast<cu::Module>(module), name),
        "cuModuleGetFunction", name);
  return function;
}

DQRT_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                  intptr_t gridY, intptr_t gridZ,
                                  intptr_t blockX, intptr_t blockY,
                                  intptr_t blockZ, int32_t sharedMemBytes,
                                  void *stream, void **params, void **extra,
                                  size_t /*paramsCount*/) {
  ScopedContext scope;
  if (!scope.ok() || !function ||
      !launchDims({gridX, gridY, gridZ, blockX, blockY, blockZ}))
    return;
  check(scope.get(),
        scope.get().launchKernel(
            static_cast<cu::Function>(function), unsigned(gridX),
            unsigned(gridY), unsigned(gridZ), unsigned(blockX),
            unsigned(blockY), unsigned(blockZ), unsigned(sharedMemBytes),
            static_cast<cu::Stream>(stream), params, extra),
        "cuLaunchKernel", "kernel launch");
}

DQRT_EXPORT void mgpuLaunchClusterKernel(void *function, intptr_t clusterX,
                                         intptr_t clusterY, intptr_t clusterZ,
                                         intptr_t gridX, intptr_t gridY,
                                         intptr_t gridZ, intptr_t blockX,
                                         intptr_t blockY, intptr_t blockZ,
                                         int32_t sharedMemBytes, void *stream,
                                         void **params, void **extra) {
  ScopedContext scope;
  if (!scope.ok() || !function ||
      !launchDims({clusterX, clusterY, clusterZ, gridX, gridY, gridZ, blockX,
                   blockY, blockZ}))
    return;
  if (!scope.get().launchKernelEx) {
    record(DQRT_UNAVAILABLE, "thread-block clusters need cuLaunchKernelEx "
                             "(CUDA 11.8 or newer driver)");
    return;
  }
  cu::LaunchAttribute cluster = {};
  cluster.id = cu::kLaunchAttributeClusterDim;
  cluster.value.clusterDim = {unsigned(clusterX), unsigned(clusterY),
                              unsigned(clusterZ)};
  cu::LaunchConfig config = {unsigned(gridX),
                             unsigned(gridY),
                             unsigned(gridZ),
                             unsigned(blockX),
                             unsigned(blockY),
                             unsigned(blockZ),
                             unsigned(sharedMemBytes),
                             static_cast<cu::Stream>(stream),
                             &cluster,
                             1};
  check(scope.get(),
        scope.get().launchKernelEx(&config, static_cast<cu::Function>(function),
                                   params, extra),
        "cuLaunchKernelEx", "cluster kernel launch");
}

//===-- Streams and events ------------------------------------------------===//

DQRT_EXPORT void *mgpuStreamCreate() {
  ScopedContext scope;
  if (!scope.ok())
    return nullptr;
  cu::Stream stream = nullptr;
  check(scope.get(), scope.get().streamCreate(&stream, cu::kStreamNonBlocking),
        "cuStreamCreate", "stream");
  return stream;
}

DQRT_EXPORT void mgpuStreamDestroy(void *stream) {
  if (!stream)
    return;
  ScopedContext scope(/*evenAfterError=*/true);
  if (scope.ok())
    check(scope.get(),
          scope.get().streamDestroy(static_cast<cu::Stream>(stream)),
          "cuStreamDestroy", "stream");
}

DQRT_EXPORT void mgpuStreamSynchronize(void *stream) {
  ScopedContext scope;
  if (scope.ok() && stream)
    check(scope.get(),
          scope.get().streamSynchronize(static_cast<cu::Stream>(stream)),
          "cuStreamSynchronize", "waiting for the GPU");
}

DQRT_EXPORT void mgpuStreamWaitEvent(void *stream, void *event) {
  ScopedContext scope;
  if (scope.ok() && stream && event)
    check(scope.get(),
          scope.get().streamWaitEvent(static_cast<cu::Stream>(stream),
                                      static_cast<cu::Event>(event), 0),
          "cuStreamWaitEvent", "stream dependency");
}

DQRT_EXPORT void *mgpuEventCreate() {
  ScopedContext scope;
  if (!scope.ok())
    return nullptr;
  cu::Event event = nullptr;
  check(scope.get(), scope.get().eventCreate(&event, cu::kEventDisableTiming),
        "cuEventCreate", "event");
  return event;
}

DQRT_EXPORT void mgpuEventDestroy(void *event) {
  if (!event)
    return;
  ScopedContext scope(/*evenAfterError=*/true);
  if (scope.ok())
    check(scope.get(), scope.get().eventDestroy(static_cast<cu::Event>(event)),
          "cuEventDestroy", "event");
}

DQRT_EXPORT void mgpuEventSynchronize(void *event) {
  ScopedContext scope;
  if (scope.ok() && event)
    check(scope.get(),
          scope.get().eventSynchronize(static_cast<cu::Event>(event)),
          "cuEventSynchronize", "waiting for the GPU");
}

DQRT_EXPORT void mgpuEventRecord(void *event, void *stream) {
  ScopedContext scope;
  if (scope.ok() && event)
    check(scope.get(),
          scope.get().eventRecord(static_cast<cu::Event>(event),
                                  static_cast<cu::Stream>(stream)),
          "cuEventRecord", "event");
}

//===-- Memory ------------------------------------------------------------===//

/// Device memory, or managed memory (`gpu.alloc host_shared`) that the host
/// can read too. The stream is not used: allocation is synchronous.
DQRT_EXPORT void *mgpuMemAlloc(uint64_t bytes, void * /*stream*/,
                               int8_t isHostShared) {
  ScopedContext scope;
  if (!scope.ok() || bytes == 0)
    return nullptr;
  cu::DevicePtr ptr = 0;
  cu::Result result =
      isHostShared
          ? scope.get().memAllocManaged(&ptr, bytes, cu::kMemAttachGlobal)
          : scope.get().memAlloc(&ptr, bytes);
  if (!check(scope.get(), result,
             isHostShared ? "cuMemAllocManaged" : "cuMemAlloc",
             (std::to_string(bytes) + " bytes").c_str()))
    return nullptr;
  return reinterpret_cast<void *>(static_cast<uintptr_t>(ptr));
}

DQRT_EXPORT void mgpuMemFree(void *ptr, void * /*stream*/) {
  if (!ptr)
    return;
  ScopedContext scope(/*evenAfterError=*/true);
  if (scope.ok())
    check(scope.get(), scope.get().memFree(devicePtr(ptr)), "cuMemFree",
          "device memory");
}

/// Any direction: the driver tells host from device pointers (unified
/// addressing).
DQRT_EXPORT void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  ScopedContext scope;
  if (!scope.ok() || bytes == 0)
    return;
  check(scope.get(),
        scope.get().memcpyAsync(devicePtr(dst), devicePtr(src), bytes,
                                static_cast<cu::Stream>(stream)),
        "cuMemcpyAsync", (std::to_string(bytes) + " bytes").c_str());
}

DQRT_EXPORT void mgpuMemset32(void *dst, uint32_t value, size_t count,
                              void *stream) {
  ScopedContext scope;
  if (scope.ok() && count)
    check(scope.get(),
          scope.get().memsetD32Async(devicePtr(dst), value, count,
                                     static_cast<cu::Stream>(stream)),
          "cuMemsetD32Async", "memset");
}

DQRT_EXPORT void mgpuMemset16(void *dst, uint16_t value, size_t count,
                              void *stream) {
  ScopedContext scope;
  if (scope.ok() && count)
    check(scope.get(),
          scope.get().memsetD16Async(devicePtr(dst), value, count,
                                     static_cast<cu::Stream>(stream)),
          "cuMemsetD16Async", "memset");
}

DQRT_EXPORT void mgpuMemHostRegister(void *ptr, uint64_t bytes) {
  ScopedContext scope;
  if (scope.ok() && ptr && bytes)
    check(scope.get(), scope.get().memHostRegister(ptr, bytes, 0),
          "cuMemHostRegister", "host memory");
}

DQRT_EXPORT void mgpuMemHostUnregister(void *ptr) {
  if (!ptr)
    return;
  ScopedContext scope(/*evenAfterError=*/true);
  if (scope.ok())
    check(scope.get(), scope.get().memHostUnregister(ptr),
          "cuMemHostUnregister", "host memory");
}

/// `descriptor` is a ranked memref descriptor of `rank` (gpu.host_register).
DQRT_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                                           int64_t elementSize) {
  char *data;
  size_t bytes;
  if (!failed() && denseRange(rank, descriptor, elementSize, data, bytes))
    mgpuMemHostRegister(data, bytes);
}

DQRT_EXPORT void mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                                             int64_t elementSize) {
  auto *words = static_cast<const int64_t *>(descriptor);
  (void)rank;
  mgpuMemHostUnregister(reinterpret_cast<char *>(words[1]) +
                        words[2] * elementSize);
}

//===-- Tensor maps (nvgpu.tma.create.descriptor) -------------------------===//

/// A TMA descriptor for the memref `descriptor` of `rank`, tiled in boxes of
/// `boxDims` (outermost first, like the memref), copied to device memory for
/// the kernel. The enums are the driver's CUtensorMap* values. The device
/// copy lives as long as the process (as with MLIR's own wrappers).
DQRT_EXPORT void *mgpuTensorMapEncodeTiledMemref(
    int64_t rank, void *descriptor, int64_t dataType, int64_t interleave,
    int64_t swizzle, int64_t l2Promotion, int64_t oobFill, int64_t *boxDims) {
  ScopedContext scope;
  if (!scope.ok())
    return nullptr;
  // Bytes per element of CU_TENSOR_MAP_DATA_TYPE_UINT8 .. TFLOAT32_FTZ.
  static const int64_t elementBytes[] = {1, 2, 4, 4, 8, 8, 2, 4, 8, 2, 4, 4, 4};
  if (dataType < 0 || dataType >= int64_t(std::size(elementBytes)) ||
      rank < 1 || rank > cu::kTensorMapMaxRank) {
    record(DQRT_INVALID_ARGUMENT, "unsupported TMA descriptor: data type " +
                                      std::to_string(dataType) + ", rank " +
                                      std::to_string(rank));
    return nullptr;
  }
  if (!scope.get().tensorMapEncodeTiled) {
    record(DQRT_UNAVAILABLE, "TMA descriptors need cuTensorMapEncodeTiled "
                             "(CUDA 12 or newer driver)");
    return nullptr;
  }
  // The driver counts dimensions innermost first; strides are in bytes
  // and omit the innermost (contiguous) one.
  auto *words = static_cast<const int64_t *>(descriptor);
  const int64_t *sizes = words + 3, *strides = words + 3 + rank;
  int64_t bytes = elementBytes[dataType];
  void *address = reinterpret_cast<char *>(words[1]) + words[2] * bytes;
  uint64_t globalDim[cu::kTensorMapMaxRank],
      globalStrides[cu::kTensorMapMaxRank];
  unsigned box[cu::kTensorMapMaxRank], elementStrides[cu::kTensorMapMaxRank];
  for (int64_t r = 0; r < rank; ++r) {
    globalDim[r] = uint64_t(sizes[rank - 1 - r]);
    globalStrides[r] = uint64_t(strides[rank - 1 - r] * bytes);
    box[r] = unsigned(boxDims[rank - 1 - r]);
    elementStrides[r] = 1;
  }
  cu::TensorMap map;
  if (!check(scope.get(),
             scope.get().tensorMapEncodeTiled(
                 &map, int(dataType), unsigned(rank), address, globalDim,
                 globalStrides + 1, box, elementStrides, int(interleave),
                 int(swizzle), int(l2Promotion), int(oobFill)),
             "cuTensorMapEncodeTiled", "TMA descriptor"))
    return nullptr;
  cu::DevicePtr onDevice = 0;
  if (!check(scope.get(), scope.get().memAlloc(&onDevice, sizeof(map)),
             "cuMemAlloc", "TMA descriptor") ||
      !check(scope.get(), scope.get().memcpyHtoD(onDevice, &map, sizeof(map)),
             "cuMemcpyHtoD", "TMA descriptor"))
    return nullptr;
  return reinterpret_cast<void *>(static_cast<uintptr_t>(onDevice));
}

DQRT_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  defaultDevice = device;
}

std::vector<std::pair<const char *, void *>> dqrt::getCUDASymbols() {
  return {
      {"mgpuModuleLoad", reinterpret_cast<void *>(&mgpuModuleLoad)},
      {"mgpuModuleLoadJIT", reinterpret_cast<void *>(&mgpuModuleLoadJIT)},
      {"mgpuModuleUnload", reinterpret_cast<void *>(&mgpuModuleUnload)},
      {"mgpuModuleGetFunction",
       reinterpret_cast<void *>(&mgpuModuleGetFunction)},
      {"mgpuLaunchKernel", reinterpret_cast<void *>(&mgpuLaunchKernel)},
      {"mgpuLaunchClusterKernel",
       reinterpret_cast<void *>(&mgpuLaunchClusterKernel)},
      {"mgpuStreamCreate", reinterpret_cast<void *>(&mgpuStreamCreate)},
      {"mgpuStreamDestroy", reinterpret_cast<void *>(&mgpuStreamDestroy)},
      {"mgpuStreamSynchronize",
       reinterpret_cast<void *>(&mgpuStreamSynchronize)},
      {"mgpuStreamWaitEvent", reinterpret_cast<void *>(&mgpuStreamWaitEvent)},
      {"mgpuEventCreate", reinterpret_cast<void *>(&mgpuEventCreate)},
      {"mgpuEventDestroy", reinterpret_cast<void *>(&mgpuEventDestroy)},
      {"mgpuEventSynchronize", reinterpret_cast<void *>(&mgpuEventSynchronize)},
      {"mgpuEventRecord", reinterpret_cast<void *>(&mgpuEventRecord)},
      {"mgpuMemAlloc", reinterpret_cast<void *>(&mgpuMemAlloc)},
      {"mgpuMemFree", reinterpret_cast<void *>(&mgpuMemFree)},
      {"mgpuMemcpy", reinterpret_cast<void *>(&mgpuMemcpy)},
      {"mgpuMemset32", reinterpret_cast<void *>(&mgpuMemset32)},
      {"mgpuMemset16", reinterpret_cast<void *>(&mgpuMemset16)},
      {"mgpuMemHostRegister", reinterpret_cast<void *>(&mgpuMemHostRegister)},
      {"mgpuMemHostUnregister",
       reinterpret_cast<void *>(&mgpuMemHostUnregister)},
      {"mgpuMemHostRegisterMemRef",
       reinterpret_cast<void *>(&mgpuMemHostRegisterMemRef)},
      {"mgpuMemHostUnregisterMemRef",
       reinterpret_cast<void *>(&mgpuMemHostUnregisterMemRef)},
      {"mgpuSetDefaultDevice", reinterpret_cast<void *>(&mgpuSetDefaultDevice)},
      {"mgpuTensorMapEncodeTiledMemref",
       reinterpret_cast<void *>(&mgpuTensorMapEncodeTiledMemref)},
  };
}
