//===- CUDADriver.h - the CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// libcuda.so.1 is opened with dlopen on first use, so that every dq binary
// starts on a machine without a driver. The few types and entry points the
// runtime needs are declared here (no cuda.h): driver handles are opaque
// pointers, results and devices are ints, device pointers 64-bit integers.
// Versioned names (cuMemAlloc_v2, ...) are the ones cuda.h maps to.
//
//===----------------------------------------------------------------------===//

#ifndef DQRT_LIB_CUDADRIVER_H
#define DQRT_LIB_CUDADRIVER_H

#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>

namespace dqrt::cu {

using Result = int; // CUresult; 0 is CUDA_SUCCESS
using Device = int; // CUdevice
using Context = struct ContextOpaque *;
using Module = struct ModuleOpaque *;
using Function = struct FunctionOpaque *;
using Stream = struct StreamOpaque *;
using Event = struct EventOpaque *;
using DevicePtr = unsigned long long; // CUdeviceptr

// Values from the driver API (cuda.h), checked against it by CUDAABITest
// where the toolkit is installed.
constexpr unsigned kStreamNonBlocking = 0x1;  // CU_STREAM_NON_BLOCKING
constexpr unsigned kEventDisableTiming = 0x2; // CU_EVENT_DISABLE_TIMING
constexpr unsigned kMemAttachGlobal = 0x1;    // CU_MEM_ATTACH_GLOBAL
constexpr int kJitInfoLogBuffer = 3;          // CU_JIT_INFO_LOG_BUFFER
constexpr int kJitInfoLogBufferSize = 4;      // ..._SIZE_BYTES
constexpr int kJitErrorLogBuffer = 5;         // CU_JIT_ERROR_LOG_BUFFER
constexpr int kJitErrorLogBufferSize = 6;     // ..._SIZE_BYTES
constexpr int kJitOptimizationLevel = 7;      // CU_JIT_OPTIMIZATION_LEVEL
constexpr int kLaunchAttributeClusterDim = 4; // ..._CLUSTER_DIMENSION
constexpr int kTensorMapMaxRank = 5;          // cuTensorMapEncodeTiled

/// CUtensorMap: an opaque 128-byte, 128-byte aligned value.
struct alignas(128) TensorMap {
  uint64_t opaque[16];
};

/// CUlaunchAttribute: an id, padding to 8 bytes, a 64-byte value union.
struct LaunchAttribute {
  int id;
  char pad[8 - sizeof(int)];
  union {
    char bytes[64];
    struct {
      unsigned x, y, z;
    } clusterDim;
  } value;
};

/// CUlaunchConfig.
struct LaunchConfig {
  unsigned gridDimX, gridDimY, gridDimZ;
  unsigned blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  Stream hStream;
  LaunchAttribute *attrs;
  unsigned numAttrs;
};

/// The driver's entry points. Required ones are never null once loaded;
/// launchKernelEx (CUDA 11.8+) and tensorMapEncodeTiled (12.0+) may be.
struct Driver {
  Result (*init)(unsigned);
  Result (*deviceGetCount)(int *);
  Result (*deviceGet)(Device *, int);
  Result (*deviceGetName)(char *, int, Device);
  Result (*devicePrimaryCtxRetain)(Context *, Device);
  Result (*ctxPushCurrent)(Context);
  Result (*ctxPopCurrent)(Context *);
  Result (*getErrorName)(Result, const char **);
  Result (*getErrorString)(Result, const char **);
  Result (*moduleLoadData)(Module *, const void *);
  Result (*moduleLoadDataEx)(Module *, const void *, unsigned, int *, void **);
  Result (*moduleUnload)(Module);
  Result (*moduleGetFunction)(Function *, Module, const char *);
  Result (*launchKernel)(Function, unsigned, unsigned, unsigned, unsigned,
                         unsigned, unsigned, unsigned, Stream, void **,
                         void **);
  Result (*launchKernelEx)(const LaunchConfig *, Function, void **, void **);
  Result (*streamCreate)(Stream *, unsigned);
  Result (*streamDestroy)(Stream);
  Result (*streamSynchronize)(Stream);
  Result (*streamWaitEvent)(Stream, Event, unsigned);
  Result (*eventCreate)(Event *, unsigned);
  Result (*eventDestroy)(Event);
  Result (*eventRecord)(Event, Stream);
  Result (*eventSynchronize)(Event);
  Result (*memAlloc)(DevicePtr *, size_t);
  Result (*memAllocManaged)(DevicePtr *, size_t, unsigned);
  Result (*memFree)(DevicePtr);
  Result (*memcpyAsync)(DevicePtr, DevicePtr, size_t, Stream);
  Result (*memcpyHtoD)(DevicePtr, const void *, size_t);
  Result (*memsetD32Async)(DevicePtr, unsigned, size_t, Stream);
  Result (*memsetD16Async)(DevicePtr, unsigned short, size_t, Stream);
  Result (*memHostRegister)(void *, size_t, unsigned);
  Result (*memHostUnregister)(void *);
  Result (*tensorMapEncodeTiled)(TensorMap *, int, unsigned, void *,
                                 const uint64_t *, const uint64_t *,
                                 const unsigned *, const unsigned *, int, int,
                                 int, int);
};

/// Loads libcuda.so.1 and resolves the entry points (once per process) and
/// calls cuInit. The error says "no CUDA driver/device found for device
/// 'cuda'" and why.
llvm::Expected<const Driver *> getDriver();

/// "CUDA_ERROR_INVALID_VALUE (invalid argument)", or the number.
std::string describe(const Driver &driver, Result result);

} // namespace dqrt::cu

#endif // DQRT_LIB_CUDADRIVER_H
