/* A stand-in for libcuda.so.1 that runs on the host, for testing the
 * runtime's mgpu* functions without a GPU (gpu-mock-driver.test).
 *
 * Memory is host memory, streams and events are counters, and the one
 * kernel it knows, `twice_kernel`, is emulated: it doubles the elements of
 * its memref argument. Every call is logged to $MOCK_CUDA_LOG. Environment:
 *   MOCK_CUDA_FAIL=cuXxx   that entry point fails (CUDA_ERROR_LAUNCH_FAILED
 *                          for launches, CUDA_ERROR_INVALID_PTX for module
 *                          loads with a JIT log, else INVALID_VALUE)
 *   MOCK_CUDA_NO_DEVICE=1  cuDeviceGetCount reports no device
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

static int live_allocations, live_streams, live_events;

static void logf_(const char *fmt, ...) {
  const char *path = getenv("MOCK_CUDA_LOG");
  if (!path)
    return;
  FILE *f = fopen(path, "a");
  if (!f)
    return;
  va_list args;
  va_start(args, fmt);
  vfprintf(f, fmt, args);
  va_end(args);
  fputc('\n', f);
  fclose(f);
}

static CUresult fails(const char *name, CUresult code) {
  const char *which = getenv("MOCK_CUDA_FAIL");
  if (which && strcmp(which, name) == 0) {
    logf_("%s failed", name);
    return code;
  }
  return 0;
}

#define FAIL_IF(name, code)                                                    \
  do {                                                                         \
    CUresult r = fails(name, code);                                            \
    if (r)                                                                     \
      return r;                                                                \
  } while (0)

CUresult cuInit(unsigned flags) { return 0; }
CUresult cuDeviceGetCount(int *count) {
  *count = getenv("MOCK_CUDA_NO_DEVICE") ? 0 : 1;
  return 0;
}
CUresult cuDeviceGet(int *device, int ordinal) {
  if (ordinal != 0)
    return 101; /* CUDA_ERROR_INVALID_DEVICE */
  *device = 0;
  return 0;
}
CUresult cuDeviceGetName(char *name, int len, int device) {
  snprintf(name, len, "Mock GPU");
  return 0;
}
static int context_depth;
CUresult cuDevicePrimaryCtxRetain(void **ctx, int device) {
  *ctx = (void *)0x1000;
  return 0;
}
CUresult cuCtxPushCurrent_v2(void *ctx) {
  ++context_depth;
  return 0;
}
CUresult cuCtxPopCurrent_v2(void **ctx) {
  --context_depth;
  return 0;
}
CUresult cuGetErrorName(CUresult r, const char **name) {
  *name = r == 1     ? "CUDA_ERROR_INVALID_VALUE"
          : r == 218 ? "CUDA_ERROR_INVALID_PTX"
          : r == 719 ? "CUDA_ERROR_LAUNCH_FAILED"
                     : 0;
  return *name ? 0 : 1;
}
CUresult cuGetErrorString(CUresult r, const char **text) {
  *text = r == 1     ? "invalid argument"
          : r == 218 ? "a PTX JIT compilation failed"
          : r == 719 ? "unspecified launch failure"
                     : 0;
  return *text ? 0 : 1;
}

/* As in the real driver, a module owns its functions: they go with it. */
struct function {
  char name[64];
  struct function *next;
};
struct module {
  char *image;
  struct function *functions;
};

static CUresult load(struct module **out, const void *image) {
  struct module *m = malloc(sizeof *m);
  m->image = strdup((const char *)image); /* PTX text */
  m->functions = NULL;
  *out = m;
  return 0;
}
CUresult cuModuleLoadData(struct module **out, const void *image) {
  FAIL_IF("cuModuleLoadData", 218);
  logf_("cuModuleLoadData");
  return load(out, image);
}
CUresult cuModuleLoadDataEx(struct module **out, const void *image, unsigned n,
                            int *options, void **values) {
  int level = -1;
  for (unsigned i = 0; i < n; ++i)
    if (options[i] == 7) /* CU_JIT_OPTIMIZATION_LEVEL */
      level = (int)(intptr_t)values[i];
  if (fails("cuModuleLoadDataEx", 218)) {
    for (unsigned i = 0; i < n; ++i)
      if (options[i] == 5) /* CU_JIT_ERROR_LOG_BUFFER */
        snprintf((char *)values[i], 64, "mock ptxas: line 1: error");
    return 218;
  }
  logf_("cuModuleLoadDataEx O=%d ptx=%s", level,
        strstr((const char *)image, ".entry twice_kernel") ? "twice_kernel"
                                                           : "?");
  return load(out, image);
}
CUresult cuModuleUnload(struct module *m) {
  logf_("cuModuleUnload");
  while (m->functions) {
    struct function *next = m->functions->next;
    free(m->functions);
    m->functions = next;
  }
  free(m->image);
  free(m);
  return 0;
}
CUresult cuModuleGetFunction(struct function **out, struct module *m,
                             const char *name) {
  FAIL_IF("cuModuleGetFunction", 500);
  if (!strstr(m->image, name))
    return 500; /* CUDA_ERROR_NOT_FOUND */
  struct function *f = malloc(sizeof *f);
  snprintf(f->name, sizeof f->name, "%s", name);
  f->next = m->functions;
  m->functions = f;
  *out = f;
  logf_("cuModuleGetFunction %s", name);
  return 0;
}
CUresult cuLaunchKernel(struct function *f, unsigned gx, unsigned gy,
                        unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned smem, void *stream, void **params,
                        void **extra) {
  FAIL_IF("cuLaunchKernel", 719);
  logf_("cuLaunchKernel %s grid=%ux%ux%u block=%ux%ux%u smem=%u context=%d",
        f->name, gx, gy, gz, bx, by, bz, smem, context_depth);
  if (strcmp(f->name, "twice_kernel") == 0) {
    /* The memref argument, expanded: allocated, aligned, offset, size,
     * stride. */
    float *aligned = *(float **)params[1];
    int64_t offset = *(int64_t *)params[2];
    int64_t stride = *(int64_t *)params[4];
    for (unsigned t = 0; t < gx * bx; ++t)
      aligned[offset + t * stride] *= 2;
  }
  return 0;
}
CUresult cuLaunchKernelEx(const void *config, struct function *f, void **params,
                          void **extra) {
  logf_("cuLaunchKernelEx %s", f->name);
  return 0;
}
CUresult cuStreamCreate(void **stream, unsigned flags) {
  FAIL_IF("cuStreamCreate", 1);
  *stream = (void *)(intptr_t)(0x2000 + ++live_streams);
  logf_("cuStreamCreate flags=%u", flags);
  return 0;
}
CUresult cuStreamDestroy_v2(void *stream) {
  --live_streams;
  logf_("cuStreamDestroy streams=%d", live_streams);
  return 0;
}
CUresult cuStreamSynchronize(void *stream) {
  FAIL_IF("cuStreamSynchronize", 719);
  logf_("cuStreamSynchronize");
  return 0;
}
CUresult cuStreamWaitEvent(void *stream, void *event, unsigned flags) {
  logf_("cuStreamWaitEvent");
  return 0;
}
CUresult cuEventCreate(void **event, unsigned flags) {
  *event = (void *)(intptr_t)(0x3000 + ++live_events);
  logf_("cuEventCreate flags=%u", flags);
  return 0;
}
CUresult cuEventDestroy_v2(void *event) {
  --live_events;
  logf_("cuEventDestroy events=%d", live_events);
  return 0;
}
CUresult cuEventRecord(void *event, void *stream) {
  logf_("cuEventRecord");
  return 0;
}
CUresult cuEventSynchronize(void *event) {
  logf_("cuEventSynchronize");
  return 0;
}
CUresult cuMemAlloc_v2(CUdeviceptr *ptr, size_t bytes) {
  FAIL_IF("cuMemAlloc", 1);
  *ptr = (CUdeviceptr)(uintptr_t)malloc(bytes);
  ++live_allocations;
  logf_("cuMemAlloc %zu", bytes);
  return 0;
}
CUresult cuMemAllocManaged(CUdeviceptr *ptr, size_t bytes, unsigned flags) {
  *ptr = (CUdeviceptr)(uintptr_t)malloc(bytes);
  ++live_allocations;
  logf_("cuMemAllocManaged %zu", bytes);
  return 0;
}
CUresult cuMemFree_v2(CUdeviceptr ptr) {
  free((void *)(uintptr_t)ptr);
  --live_allocations;
  logf_("cuMemFree allocations=%d", live_allocations);
  return 0;
}
CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                       void *stream) {
  FAIL_IF("cuMemcpyAsync", 1);
  memmove((void *)(uintptr_t)dst, (void *)(uintptr_t)src, bytes);
  logf_("cuMemcpyAsync %zu", bytes);
  return 0;
}
CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) {
  memcpy((void *)(uintptr_t)dst, src, bytes);
  logf_("cuMemcpyHtoD %zu", bytes);
  return 0;
}
CUresult cuTensorMapEncodeTiled(void *map, int type, unsigned rank,
                                void *address, const uint64_t *dims,
                                const uint64_t *strides, const unsigned *box,
                                const unsigned *elementStrides, int interleave,
                                int swizzle, int l2, int oob) {
  char text[256];
  int n = snprintf(text, sizeof text, "cuTensorMapEncodeTiled type=%d rank=%u",
                   type, rank);
  for (unsigned r = 0; r < rank; ++r)
    n += snprintf(text + n, sizeof text - n, " dim%u=%llu", r,
                  (unsigned long long)dims[r]);
  for (unsigned r = 0; r + 1 < rank; ++r)
    n += snprintf(text + n, sizeof text - n, " stride%u=%llu", r + 1,
                  (unsigned long long)strides[r]);
  for (unsigned r = 0; r < rank; ++r)
    n += snprintf(text + n, sizeof text - n, " box%u=%u", r, box[r]);
  snprintf(text + n, sizeof text - n, " swizzle=%d", swizzle);
  logf_("%s", text);
  memset(map, 0xAB, 128);
  return 0;
}
CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t count,
                          void *stream) {
  for (size_t i = 0; i < count; ++i)
    ((uint32_t *)(uintptr_t)dst)[i] = value;
  logf_("cuMemsetD32Async %zu", count);
  return 0;
}
CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t count,
                          void *stream) {
  for (size_t i = 0; i < count; ++i)
    ((uint16_t *)(uintptr_t)dst)[i] = value;
  logf_("cuMemsetD16Async %zu", count);
  return 0;
}
CUresult cuMemHostRegister_v2(void *p, size_t bytes, unsigned flags) {
  logf_("cuMemHostRegister %zu", bytes);
  return 0;
}
CUresult cuMemHostUnregister(void *p) {
  logf_("cuMemHostUnregister");
  return 0;
}
