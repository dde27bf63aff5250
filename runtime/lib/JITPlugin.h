//===- JITPlugin.h - libdqrt <-> libdqrt_jit interface ----------*- C++ -*-===//
//
// JIT compilation (MLIR parser, ExecutionEngine, LLVM) lives in a plugin,
// libdqrt_jit.so, that libdqrt opens only when a `.mlir` module is loaded.
// libdqrt itself needs no LLVM library at run time, so an ahead-of-time
// module ships with libdqrt alone.
//
// The two sides hold separate copies of LLVM's Support library (libdqrt a
// private static one, the plugin libLLVM.so's), so only C types cross: the
// host passes its services as function pointers, the plugin reports errors
// as dqrt_status values made by the host (the plugin links libdqrt for the
// status accessors). Exported by the plugin: dqrt_jit_plugin_version,
// dqrt_jit_load, dqrt_jit_lookup, dqrt_jit_num_functions,
// dqrt_jit_function_name, dqrt_jit_function_abi, dqrt_jit_uses_openmp,
// dqrt_jit_uses_cuda, dqrt_jit_destroy.
//
//===----------------------------------------------------------------------===//

#ifndef DQRT_LIB_JITPLUGIN_H
#define DQRT_LIB_JITPLUGIN_H

#include "dqrt/dqrt.h"

#include <stddef.h>

extern "C" {

/// What libdqrt provides to the plugin.
struct dqrt_jit_host {
  /// A new status with `code` and `message`.
  dqrt_status (*makeStatus)(dqrt_status_code code, const char *message);
  /// Symbols compiled code may call (memrefCopy, mgpu*, bf16 truncations,
  /// __dqrt_missing_function).
  size_t numSymbols;
  const char *const *symbolNames;
  void *const *symbolAddresses;
  /// Loads libomp with RTLD_GLOBAL before OpenMP code is compiled.
  dqrt_status (*loadOpenMP)(void);
  /// The pending error of the calling thread (see PendingError.cpp).
  void (*clearPendingError)(void);
  dqrt_status (*takePendingError)(void);
};

typedef struct dqrt_jit_module_s *dqrt_jit_module;

/// Parses and compiles `path`. The module's public functions with a
/// signature, their ABI JSON, and what it needs (OpenMP, CUDA) are then
/// available through the accessors below.
typedef dqrt_status (*dqrt_jit_load_fn)(const dqrt_jit_host *host,
                                        const char *path,
                                        const dqrt_runtime_options *options,
                                        dqrt_jit_module *out);
typedef dqrt_status (*dqrt_jit_lookup_fn)(const dqrt_jit_host *host,
                                          dqrt_jit_module module,
                                          const char *symbol, void **address);
typedef size_t (*dqrt_jit_num_functions_fn)(dqrt_jit_module module);
typedef const char *(*dqrt_jit_function_fn)(dqrt_jit_module module,
                                            size_t index);
typedef int (*dqrt_jit_flag_fn)(dqrt_jit_module module);
typedef void (*dqrt_jit_destroy_fn)(dqrt_jit_module module);
typedef int (*dqrt_jit_plugin_version_fn)(void);

} // extern "C"

/// Version of this interface; the loader refuses a plugin built for another.
#define DQRT_JIT_PLUGIN_VERSION 2

#endif // DQRT_LIB_JITPLUGIN_H
