//===- BufferPool.cpp - the allocator compiled modules call ---------------===//
//
// The CPU and CUDA pipelines lower memref.alloc/dealloc to the generic
// functions `_mlir_memref_to_llvm_alloc`/`_free` (see
// --dq-define-allocator-fallbacks). libdqrt defines them here as a pool that
// keeps freed blocks of at least kMinPooledBytes for the next allocation of
// about the same size. A model calls the same allocations in the same order
// on every call, so from the second call on its intermediates reuse memory
// that is already mapped: no page faults, no returning memory to the kernel
// in between (glibc maps large blocks afresh and trims its heap on free).
//
// Every block comes from malloc or aligned_alloc, so `free` may release one
// too (a caller that frees a result buffer itself), and the pool may take
// blocks that malloc handed out elsewhere.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cstdio>
#include <cstdlib>
#include <malloc.h>
#include <map>
#include <mutex>

namespace {

/// Smaller blocks stay with malloc: its thread caches serve them without
/// page faults, and they would only contend for the pool's lock.
constexpr size_t kMinPooledBytes = 64 * 1024;

struct Pool {
  std::mutex mutex;
  /// Free blocks by usable size (malloc_usable_size).
  std::multimap<size_t, void *> blocks;
  size_t cachedBytes = 0;
  size_t limitBytes = dqrt::kDefaultPoolLimitBytes;
  uint64_t allocations = 0, reused = 0;

  Pool() {
    const char *limit = std::getenv("DQRT_POOL_LIMIT_MB");
    if (!limit)
      return;
    char *end = nullptr;
    unsigned long long mb = std::strtoull(limit, &end, 10);
    if (end != limit && *end == '\0' && *limit != '-' && mb < (1ull << 40))
      limitBytes = static_cast<size_t>(mb) << 20;
    else
      std::fprintf(stderr,
                   "dqrt: ignoring DQRT_POOL_LIMIT_MB='%s' (expected a whole "
                   "number of MiB); the buffer pool keeps up to %zu MiB\n",
                   limit, limitBytes >> 20);
  }

  /// A cached block for `size` bytes aligned to `alignment`, or null. A
  /// block at most a quarter larger than asked is taken, so that a small
  /// request does not pin a large block.
  void *take(size_t size, size_t alignment) {
    std::lock_guard<std::mutex> lock(mutex);
    ++allocations;
    for (auto it = blocks.lower_bound(size);
         it != blocks.end() && it->first <= size + size / 4; ++it) {
      if (reinterpret_cast<uintptr_t>(it->second) % alignment)
        continue;
      void *block = it->second;
      cachedBytes -= it->first;
      blocks.erase(it);
      ++reused;
      return block;
    }
    return nullptr;
  }

  /// Keeps `block` if the cache has room; returns whether it did.
  bool give(void *block, size_t usable) {
    std::lock_guard<std::mutex> lock(mutex);
    if (cachedBytes + usable > limitBytes)
      return false;
    blocks.emplace(usable, block);
    cachedBytes += usable;
    return true;
  }

  void release() {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto &[usable, block] : blocks)
      std::free(block);
    blocks.clear();
    cachedBytes = 0;
  }
};

Pool &pool() {
  // Never destroyed: modules may free blocks during static destruction.
  static Pool *instance = new Pool;
  return *instance;
}

void *allocate(size_t size, size_t alignment) {
  if (size >= kMinPooledBytes)
    if (void *block = pool().take(size, alignment))
      return block;
  if (alignment <= alignof(std::max_align_t))
    return std::malloc(size);
  // aligned_alloc wants a multiple of the alignment.
  return std::aligned_alloc(alignment,
                            (size + alignment - 1) / alignment * alignment);
}

} // namespace

void dqrt::poolFree(void *block) {
  if (!block)
    return;
  size_t usable = malloc_usable_size(block);
  if (usable < kMinPooledBytes || !pool().give(block, usable))
    std::free(block);
}

void dqrt::releasePool() { pool().release(); }

extern "C" {

DQRT_API void dqrt_release_pool(void) { dqrt::releasePool(); }

DQRT_API void dqrt_get_pool_stats(dqrt_pool_stats *stats) {
  if (!stats)
    return;
  Pool &p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  stats->allocations = p.allocations;
  stats->reused = p.reused;
  stats->cached_bytes = p.cachedBytes;
  stats->limit_bytes = p.limitBytes;
}

__attribute__((visibility("default"))) void *
_mlir_memref_to_llvm_alloc(size_t size) {
  return allocate(size, alignof(std::max_align_t));
}

__attribute__((visibility("default"))) void *
_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  return allocate(size, alignment ? alignment : 1);
}

__attribute__((visibility("default"))) void
_mlir_memref_to_llvm_free(void *block) {
  dqrt::poolFree(block);
}

} // extern "C"
