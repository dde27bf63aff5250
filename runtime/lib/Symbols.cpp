//===- Symbols.cpp - what the runtime provides to compiled code -----------===//
//
// Lowered code calls a few functions that are not in libc: memrefCopy, the
// bf16 truncations, and (GPU host code) the mgpu* functions. libdqrt exports
// them, which serves shared objects from dq-compile; the JIT gets their
// addresses explicitly, so that it finds them even when libdqrt was loaded
// with RTLD_LOCAL.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

extern "C" {
void memrefCopy(int64_t, void *, void *);
_Float16 __truncsfbf2(float);
_Float16 __truncdfbf2(double);
void __dqrt_missing_function(const char *);
void *_mlir_memref_to_llvm_alloc(size_t);
void *_mlir_memref_to_llvm_aligned_alloc(size_t, size_t);
void _mlir_memref_to_llvm_free(void *);
int64_t _dq_profile_clock();
}

std::vector<std::pair<const char *, void *>> dqrt::getRuntimeSymbols() {
  std::vector<std::pair<const char *, void *>> symbols = {
      {"memrefCopy", reinterpret_cast<void *>(&memrefCopy)},
      {"__truncsfbf2", reinterpret_cast<void *>(&__truncsfbf2)},
      {"__truncdfbf2", reinterpret_cast<void *>(&__truncdfbf2)},
      {"__dqrt_missing_function",
       reinterpret_cast<void *>(&__dqrt_missing_function)},
      // The buffer pool (BufferPool.cpp).
      {"_mlir_memref_to_llvm_alloc",
       reinterpret_cast<void *>(&_mlir_memref_to_llvm_alloc)},
      {"_mlir_memref_to_llvm_aligned_alloc",
       reinterpret_cast<void *>(&_mlir_memref_to_llvm_aligned_alloc)},
      {"_mlir_memref_to_llvm_free",
       reinterpret_cast<void *>(&_mlir_memref_to_llvm_free)},
      // Profiles (Profile.cpp).
      {"_dq_profile_clock", reinterpret_cast<void *>(&_dq_profile_clock)},
  };
  symbols.push_back({"_mlir_ciface_dqrt_observe_f32", getObserveSymbol()});
  for (const auto &symbol : getCUDASymbols())
    symbols.push_back(symbol);
  return symbols;
}
