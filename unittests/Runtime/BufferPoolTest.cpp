//===- BufferPoolTest.cpp - the allocator compiled modules call -----------===//

#include "TestSupport.h"

#include <cstring>
#include <vector>

extern "C" {
void *_mlir_memref_to_llvm_alloc(size_t);
void *_mlir_memref_to_llvm_aligned_alloc(size_t, size_t);
void _mlir_memref_to_llvm_free(void *);
}

namespace {

constexpr size_t KiB = 1024;

dqrt_pool_stats stats() {
  dqrt_pool_stats s;
  dqrt_get_pool_stats(&s);
  return s;
}

/// Each test starts from an empty pool under `limit` and leaves the default.
struct PoolTest : ::testing::Test {
  void SetUp() override {
    dqrt_release_pool();
    dqrt_set_pool_limit(1024 * KiB);
  }
  void TearDown() override {
    dqrt_release_pool();
    dqrt_set_pool_limit(uint64_t(1) << 30);
  }
};

TEST_F(PoolTest, ReusesAFreedBlockOfTheSameSize) {
  void *a = _mlir_memref_to_llvm_alloc(300 * KiB);
  std::memset(a, 1, 300 * KiB);
  _mlir_memref_to_llvm_free(a);
  uint64_t reused = stats().reused;
  void *b = _mlir_memref_to_llvm_alloc(300 * KiB);
  EXPECT_EQ(a, b);
  EXPECT_EQ(stats().reused, reused + 1);
  // Not for a request a quarter smaller or more, nor for a larger one.
  _mlir_memref_to_llvm_free(b);
  void *c = _mlir_memref_to_llvm_alloc(200 * KiB);
  void *d = _mlir_memref_to_llvm_alloc(400 * KiB);
  EXPECT_NE(c, b);
  EXPECT_NE(d, b);
  _mlir_memref_to_llvm_free(c);
  _mlir_memref_to_llvm_free(d);
}

TEST_F(PoolTest, BlocksInUseAreNeverHandedOutTwice) {
  std::vector<void *> live;
  for (int i = 0; i < 3; ++i)
    live.push_back(_mlir_memref_to_llvm_alloc(128 * KiB));
  _mlir_memref_to_llvm_free(live[1]);
  void *again = _mlir_memref_to_llvm_alloc(128 * KiB);
  EXPECT_EQ(again, live[1]);
  void *fresh = _mlir_memref_to_llvm_alloc(128 * KiB);
  EXPECT_NE(fresh, live[0]);
  EXPECT_NE(fresh, live[1]);
  EXPECT_NE(fresh, live[2]);
  for (void *p : {live[0], again, live[2], fresh})
    _mlir_memref_to_llvm_free(p);
}

TEST_F(PoolTest, AFullPoolEvictsItsOldestBlocks) {
  // Three 300 KiB blocks fill most of the 1 MiB pool.
  std::vector<void *> old;
  for (int i = 0; i < 3; ++i)
    old.push_back(_mlir_memref_to_llvm_alloc(300 * KiB));
  for (void *p : old)
    _mlir_memref_to_llvm_free(p);
  EXPECT_GE(stats().cached_bytes, 900 * KiB);
  // Another model's 600 KiB block still gets cached: the oldest go.
  void *big = _mlir_memref_to_llvm_alloc(600 * KiB);
  _mlir_memref_to_llvm_free(big);
  EXPECT_LE(stats().cached_bytes, 1024 * KiB);
  uint64_t reused = stats().reused;
  void *again = _mlir_memref_to_llvm_alloc(600 * KiB);
  EXPECT_EQ(again, big);
  EXPECT_EQ(stats().reused, reused + 1);
  _mlir_memref_to_llvm_free(again);
}

TEST_F(PoolTest, SmallAndOversizedBlocksBypassThePool) {
  void *small = _mlir_memref_to_llvm_alloc(1 * KiB);
  _mlir_memref_to_llvm_free(small);
  void *huge = _mlir_memref_to_llvm_alloc(2048 * KiB);
  _mlir_memref_to_llvm_free(huge);
  EXPECT_EQ(stats().cached_bytes, 0u);
}

TEST_F(PoolTest, AlignedRequestsGetAlignedBlocks) {
  for (size_t alignment : {64, 4096}) {
    void *p = _mlir_memref_to_llvm_aligned_alloc(alignment, 200 * KiB);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % alignment, 0u);
    _mlir_memref_to_llvm_free(p);
    void *q = _mlir_memref_to_llvm_aligned_alloc(alignment, 200 * KiB);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(q) % alignment, 0u);
    _mlir_memref_to_llvm_free(q);
  }
}

TEST_F(PoolTest, LoweringTheLimitEvicts) {
  void *a = _mlir_memref_to_llvm_alloc(300 * KiB);
  _mlir_memref_to_llvm_free(a);
  EXPECT_GT(stats().cached_bytes, 0u);
  dqrt_set_pool_limit(0);
  EXPECT_EQ(stats().cached_bytes, 0u);
}

} // namespace
