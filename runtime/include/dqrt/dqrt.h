/*===- dqrt.h - the dq runtime C API ------------------------------*- C -*-===*\
|*                                                                            *|
|* Runs modules compiled by dq-opt: `.mlir` files in the LLVM dialect (JIT)   *|
|* and shared objects made by dq-compile (ahead of time). Every call returns  *|
|* a status; NULL means success. No C++ exception and no abort crosses this   *|
|* API. Objects are not thread-safe unless stated; distinct objects may be    *|
|* used from distinct threads.                                                *|
\*===----------------------------------------------------------------------===*/

#ifndef DQRT_DQRT_H
#define DQRT_DQRT_H

#include <stddef.h>
#include <stdint.h>

/* The API's symbols are the only ones libdqrt exports (besides those that
 * compiled code calls). */
#if defined(__GNUC__)
#define DQRT_API __attribute__((visibility("default")))
#else
#define DQRT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*===-- Status ------------------------------------------------------------===*/

typedef enum dqrt_status_code {
  DQRT_OK = 0,
  DQRT_INVALID_ARGUMENT = 1, /* wrong shape, dtype, count, or a NULL pointer */
  DQRT_NOT_FOUND = 2,        /* missing file or function */
  DQRT_UNAVAILABLE = 3,      /* e.g. no CUDA driver or device */
  DQRT_INVALID_MODULE = 4,   /* the module cannot be parsed or compiled */
  DQRT_INTERNAL = 5,
} dqrt_status_code;

/* An error. NULL is success. */
typedef struct dqrt_status_s *dqrt_status;

DQRT_API dqrt_status_code dqrt_status_get_code(dqrt_status status);
/* The message; valid until dqrt_status_free. "" for success. */
DQRT_API const char *dqrt_status_get_message(dqrt_status status);
DQRT_API void dqrt_status_free(dqrt_status status);

/*===-- Element types and devices -----------------------------------------===*/

typedef enum dqrt_dtype {
  DQRT_F32 = 0,
  DQRT_F16 = 1,
  DQRT_BF16 = 2,
  DQRT_F64 = 3,
  DQRT_I1 = 4, /* one byte per element, 0 or 1 */
  DQRT_I8 = 5, /* also packed low-bit data */
  DQRT_I32 = 6,
  DQRT_I64 = 7,
} dqrt_dtype;

/* "f32", "f16", ...; NULL for a value outside the enum. */
DQRT_API const char *dqrt_dtype_name(dqrt_dtype dtype);
/* Bytes per element; 0 for a value outside the enum. */
DQRT_API size_t dqrt_dtype_size(dqrt_dtype dtype);

typedef enum dqrt_device_kind {
  DQRT_DEVICE_CPU = 0,
  DQRT_DEVICE_CUDA = 1,
} dqrt_device_kind;

/*===-- Runtime -----------------------------------------------------------===*/

typedef struct dqrt_runtime_options {
  dqrt_device_kind device;
  /* Threads for multi-threaded code; 0 = all cores. */
  int32_t num_threads;
  /* LLVM optimization level for JIT compilation (0-3). */
  int32_t jit_opt_level;
} dqrt_runtime_options;

/* Fills the defaults: CPU, all cores, O3. */
DQRT_API void dqrt_runtime_options_init(dqrt_runtime_options *options);

typedef struct dqrt_runtime_s *dqrt_runtime;

/* Fails with DQRT_UNAVAILABLE when the device cannot be used, e.g.
 * "no CUDA driver/device found" for DQRT_DEVICE_CUDA on a machine without. */
DQRT_API dqrt_status dqrt_runtime_create(const dqrt_runtime_options *options,
                                         dqrt_runtime *out);
DQRT_API void dqrt_runtime_destroy(dqrt_runtime runtime);

/*===-- Modules and functions ---------------------------------------------===*/

typedef struct dqrt_module_s *dqrt_module;
typedef struct dqrt_function_s *dqrt_function;

/* Loads `path`: a `.so` made by dq-compile is dlopen'ed; anything else is
 * parsed as MLIR (LLVM dialect, from dq-opt's pipelines) and JIT-compiled.
 * The module must not outlive its runtime. */
DQRT_API dqrt_status dqrt_module_load(dqrt_runtime runtime, const char *path,
                                      dqrt_module *out);
DQRT_API void dqrt_module_destroy(dqrt_module module);

/* Looks up a public function compiled with its signature (dq-export-abi,
 * part of --dq-cpu-pipeline). The function is owned by the module. */
DQRT_API dqrt_status dqrt_module_lookup(dqrt_module module, const char *name,
                                        dqrt_function *out);

DQRT_API size_t dqrt_function_num_args(dqrt_function function);
DQRT_API size_t dqrt_function_num_results(dqrt_function function);

/* The declared type of argument/result `index`: dtype, rank and dims (-1 is a
 * dynamic dimension). `dims` must hold `rank` values; it may be NULL to ask
 * for the rank only. */
DQRT_API dqrt_status dqrt_function_arg_type(dqrt_function function,
                                            size_t index, dqrt_dtype *dtype,
                                            int32_t *rank, int64_t *dims,
                                            size_t max_dims);
DQRT_API dqrt_status dqrt_function_result_type(dqrt_function function,
                                               size_t index, dqrt_dtype *dtype,
                                               int32_t *rank, int64_t *dims,
                                               size_t max_dims);

/* Tied results (docs/runtime.md): the argument whose memory result `index`
 * is returned in, or -1 when the result is a new buffer. An argument is tied
 * by `dq.tied_result = index` in the IR (dq-export-abi); a KV cache passed
 * to every decoding step this way is updated in place, never copied. */
DQRT_API int64_t dqrt_function_result_tied_arg(dqrt_function function,
                                               size_t index);

/* How many tied results, over all invocations so far, the compiled code did
 * not write in place, so that the runtime copied them into their argument
 * (0 is the expected value; see docs/runtime.md). */
DQRT_API size_t dqrt_function_num_tied_copies(dqrt_function function);

/*===-- Buffers and invocation --------------------------------------------===*/

/* A view of caller-owned, C-contiguous host memory. */
typedef struct dqrt_buffer_view {
  dqrt_dtype dtype;
  int32_t rank;
  const int64_t *shape;
  void *data;
} dqrt_buffer_view;

/* A result: owned by the caller, freed with dqrt_buffer_destroy. */
typedef struct dqrt_buffer_s *dqrt_buffer;

DQRT_API dqrt_dtype dqrt_buffer_dtype(dqrt_buffer buffer);
DQRT_API int32_t dqrt_buffer_rank(dqrt_buffer buffer);
DQRT_API const int64_t *dqrt_buffer_shape(dqrt_buffer buffer);
DQRT_API size_t dqrt_buffer_num_elements(dqrt_buffer buffer);
/* C-contiguous data of num_elements * dqrt_dtype_size(dtype) bytes. */
DQRT_API void *dqrt_buffer_data(dqrt_buffer buffer);
DQRT_API void dqrt_buffer_destroy(dqrt_buffer buffer);

/* Calls `function` with `num_args` inputs. Shapes and dtypes are checked
 * against the signature (errors name the argument, expected and got). On
 * success `results[0 .. num_results)` receive new buffers owned by the
 * caller; `num_results` must equal dqrt_function_num_results. A tied
 * result's buffer is a view of its argument's memory, which then holds the
 * result (dqrt_buffer_destroy frees only the view); a tied argument must not
 * share memory with another argument. */
DQRT_API dqrt_status dqrt_function_invoke(dqrt_function function,
                                          const dqrt_buffer_view *args,
                                          size_t num_args, dqrt_buffer *results,
                                          size_t num_results);

/*===-- Buffer pool -------------------------------------------------------===*/

/* Compiled modules allocate their intermediate buffers from a process-wide
 * pool: a freed block of 64 KiB or more is kept for a later allocation of up
 * to a quarter less, so that from the second call on a model reuses memory
 * that is already mapped. The pool holds at most `limit_bytes` (1 GiB, or
 * DQRT_POOL_LIMIT_MB from the environment when the pool is first used; 0
 * keeps nothing), evicting its oldest blocks when full; result buffers
 * return to it on dqrt_buffer_destroy. */
typedef struct dqrt_pool_stats {
  uint64_t allocations;  /* requests of 64 KiB or more, since start */
  uint64_t reused;       /* of those, served from the pool */
  uint64_t cached_bytes; /* held now, free for reuse */
  uint64_t limit_bytes;
} dqrt_pool_stats;

DQRT_API void dqrt_get_pool_stats(dqrt_pool_stats *stats);
/* Returns every cached block to the system (dqrt_runtime_destroy does it
 * too). */
DQRT_API void dqrt_release_pool(void);
/* Sets the most the pool holds, freeing its oldest blocks to fit. A full
 * pool makes room for a newly freed block the same way. */
DQRT_API void dqrt_set_pool_limit(uint64_t limit_bytes);

/*===-- Profile -----------------------------------------------------------===*/

/* Modules compiled with `dq-opt --dq-cpu-pipeline=profile=true` time every
 * kernel call and loop nest of their functions (--dq-profile-regions): one
 * region each, with its call count and elapsed nanoseconds since load or
 * the last reset. What no region covers (views, allocations, copies that
 * bufferization added) is the rest of a call's time. The counters are
 * plain memory: calls of one module from two threads at once race on them. */
typedef struct dqrt_profile_region {
  const char *function; /* the compiled function holding the region */
  const char *op_class; /* dq-matmul, attention, matmul, normalization,
                           elementwise, data-movement or other */
  const char *op;       /* a kernel's layer and name, or the linalg op the
                           loops came from with its loop ranges */
  uint64_t calls;
  uint64_t nanoseconds;
} dqrt_profile_region;

/* Number of regions. DQRT_NOT_FOUND when the module was compiled without
 * profiling. */
DQRT_API dqrt_status dqrt_module_profile_size(dqrt_module module,
                                              size_t *count);
/* Region `index`; its strings live as long as the module. */
DQRT_API dqrt_status dqrt_module_profile_region(dqrt_module module,
                                                size_t index,
                                                dqrt_profile_region *out);
/* Sets every region's calls and nanoseconds to 0. */
DQRT_API dqrt_status dqrt_module_reset_profile(dqrt_module module);

/*===-- Calibration -------------------------------------------------------===*/

/* Statistics of the observation points of modules compiled from
 * `dq-opt --dq-instrument` (dq.observe, lowered by --dq-cpu-pipeline to calls
 * of _mlir_ciface_dqrt_observe_f32): per layer, the Gram matrix XᵀX of the
 * observed rows, accumulated in float64, and the row count T. Memory is
 * O(sum of K^2) however many invocations are observed. */
typedef struct dqrt_calibration_s *dqrt_calibration;

DQRT_API dqrt_status dqrt_calibration_create(dqrt_calibration *out);
/* Detaches `calibration` first if it is attached. */
DQRT_API void dqrt_calibration_destroy(dqrt_calibration calibration);

/* Routes the observations of every invocation, on any thread, into
 * `calibration` until another one (or NULL) is attached. Without an
 * attached calibration, observations are ignored, so an instrumented
 * module also runs as a plain one. An invocation during which an
 * observation fails (non-finite values, a layer seen with two widths) fails
 * with DQRT_INVALID_ARGUMENT naming the layer. */
DQRT_API dqrt_status dqrt_calibration_attach(dqrt_calibration calibration);

/* Layers observed so far. */
DQRT_API size_t dqrt_calibration_num_layers(dqrt_calibration calibration);

/* Writes H = XᵀX / T and T per layer as a statistics file
 * (docs/stats-format.md) for dq-opt --dq-quantize, atomically. Fails with
 * DQRT_INVALID_ARGUMENT when nothing was observed. */
DQRT_API dqrt_status dqrt_calibration_write_stats(dqrt_calibration calibration,
                                                  const char *path,
                                                  const char *producer);

#ifdef __cplusplus
}
#endif

#endif /* DQRT_DQRT_H */
