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
#include <list>
#include <malloc.h>
#include <map>
#include <mutex>

namespace {

/// Smaller blocks stay with malloc: its thread caches serve them without
/// page faults, and they would only contend for the pool's lock.
constexpr size_t kMinPooledBytes = 64 * 1024;

struct Pool {
  /// A free block; the oldest are evicted first when the pool is full, so
  /// that the sizes of one model do not keep another's out for good.
  struct Entry {
    void *block;
    size_t usable;
    std::multimap<size_t, std::list<Entry>::iterator>::iterator bySize;
  };

  std::mutex mutex;
  /// Free blocks, oldest first, and by usable size (malloc_usable_size).
  std::list<Entry> byAge;
  std::multimap<size_t, std::list<Entry>::iterator> bySize;
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

  void erase(std::list<Entry>::iterator entry) {
    cachedBytes -= entry->usable;
    bySize.erase(entry->bySize);
    byAge.erase(entry);
  }

  /// Frees the oldest blocks until `bytes` more fit under the limit.
  void evictFor(size_t bytes) {
    while (!byAge.empty() && cachedBytes + bytes > limitBytes) {
      void *block = byAge.front().block;
      erase(byAge.begin());
      std::free(block);
    }
  }

  /// A cached block for `size` bytes aligned to `alignment`, or null. A
  /// block at most a quarter larger than asked is taken, so that a small
  /// request does not pin a large block.
  void *take(size_t size, size_t alignment) {
    std::lock_guard<std::mutex> lock(mutex);
    ++allocations;
    for (auto it = bySize.lower_bound(size);
         it != bySize.end() && it->first <= size + size / 4; ++it) {
      void *block = it->second->block;
      if (reinterpret_cast<uintptr_t>(block) % alignment)
        continue;
      erase(it->second);
      ++reused;
      return block;
    }
    return nullptr;
  }

  /// Keeps `block`, evicting the oldest blocks if the pool is full;
  /// returns false for a block larger than the limit.
  bool give(void *block, size_t usable) {
    std::lock_guard<std::mutex> lock(mutex);
    if (usable > limitBytes)
      return false;
    evictFor(usable);
    auto entry = byAge.insert(byAge.end(), Entry{block, usable, {}});
    entry->bySize = bySize.emplace(usable, entry);
    cachedBytes += usable;
    return true;
  }

  void setLimit(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex);
    limitBytes = bytes;
    evictFor(0);
  }

  void release() {
    std::lock_guard<std::mutex> lock(mutex);
    for (Entry &entry : byAge)
      std::free(entry.block);
    byAge.clear();
    bySize.clear();
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

DQRT_API void dqrt_set_pool_limit(uint64_t bytes) {
  pool().setLimit(static_cast<size_t>(bytes));
}

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
