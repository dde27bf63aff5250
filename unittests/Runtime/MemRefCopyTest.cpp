//===- MemRefCopyTest.cpp - libdqrt's memrefCopy --------------------------===//
//
// memrefCopy between strided views (the copies of tensor.concat and
// tensor.insert_slice) against an element-by-element reference, on fresh
// random shapes, strides and offsets: contiguous runs, size-1 dimensions
// with odd strides, transposed views, and empty ones.
//
//===----------------------------------------------------------------------===//

#include "gtest/gtest.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

extern "C" void memrefCopy(int64_t elementSize, void *source, void *target);

namespace {

/// A ranked view over a buffer, laid out as the MLIR descriptor:
/// {allocated, aligned, offset, sizes[rank], strides[rank]}.
struct View {
  std::vector<int64_t> words;
  int64_t rank;
  View(void *base, int64_t offset, const std::vector<int64_t> &sizes,
       const std::vector<int64_t> &strides)
      : rank(sizes.size()) {
    words = {reinterpret_cast<int64_t>(base), reinterpret_cast<int64_t>(base),
             offset};
    words.insert(words.end(), sizes.begin(), sizes.end());
    words.insert(words.end(), strides.begin(), strides.end());
  }
};

struct Unranked {
  int64_t rank;
  void *descriptor;
};

/// Row-major strides of `sizes`, each dimension padded by `pad[d]`
/// elements, or permuted by `order` (order[0] the outermost in memory).
std::vector<int64_t> stridesFor(const std::vector<int64_t> &sizes,
                                const std::vector<int64_t> &pad,
                                const std::vector<int> &order) {
  std::vector<int64_t> strides(sizes.size());
  int64_t step = 1;
  for (int i = static_cast<int>(order.size()) - 1; i >= 0; --i) {
    int d = order[i];
    strides[d] = step;
    step *= sizes[d] + pad[d];
  }
  return strides;
}

int64_t span(const std::vector<int64_t> &sizes,
             const std::vector<int64_t> &strides) {
  int64_t last = 0;
  for (size_t d = 0; d < sizes.size(); ++d)
    last += (sizes[d] - 1) * strides[d];
  return last + 1;
}

TEST(MemRefCopy, MatchesElementwiseReference) {
  unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 400; ++trial) {
    int rank = pick(1, 4);
    std::vector<int64_t> sizes(rank), srcPad(rank), dstPad(rank);
    for (int d = 0; d < rank; ++d) {
      sizes[d] = pick(0, 9) == 0 ? 1 : pick(1, 7);
      srcPad[d] = pick(0, 2) == 0 ? pick(1, 3) : 0;
      dstPad[d] = pick(0, 2) == 0 ? pick(1, 3) : 0;
    }
    if (trial % 50 == 0)
      sizes[pick(0, rank - 1)] = 0; // an empty view copies nothing
    std::vector<int> srcOrder(rank), dstOrder(rank);
    for (int d = 0; d < rank; ++d)
      srcOrder[d] = dstOrder[d] = d;
    if (pick(0, 3) == 0)
      std::shuffle(srcOrder.begin(), srcOrder.end(), rng);
    std::vector<int64_t> srcStrides = stridesFor(sizes, srcPad, srcOrder);
    std::vector<int64_t> dstStrides = stridesFor(sizes, dstPad, dstOrder);
    // A size-1 dimension may carry any stride.
    for (int d = 0; d < rank; ++d)
      if (sizes[d] == 1 && pick(0, 1))
        srcStrides[d] = pick(1, 50);
    bool empty = false;
    for (int64_t s : sizes)
      empty |= s == 0;
    int64_t srcOffset = pick(0, 5), dstOffset = pick(0, 5);
    int64_t srcLen = srcOffset + (empty ? 1 : span(sizes, srcStrides));
    int64_t dstLen = dstOffset + (empty ? 1 : span(sizes, dstStrides));
    std::vector<int32_t> src(srcLen), dst(dstLen), want(dstLen);
    for (int32_t &v : src)
      v = static_cast<int32_t>(rng());
    for (size_t i = 0; i < dst.size(); ++i)
      dst[i] = want[i] = -1 - static_cast<int32_t>(i);
    if (!empty) {
      std::vector<int64_t> index(rank, 0);
      while (true) {
        int64_t s = srcOffset, t = dstOffset;
        for (int d = 0; d < rank; ++d) {
          s += index[d] * srcStrides[d];
          t += index[d] * dstStrides[d];
        }
        want[t] = src[s];
        int d = rank - 1;
        for (; d >= 0 && ++index[d] == sizes[d]; --d)
          index[d] = 0;
        if (d < 0)
          break;
      }
    }
    View from(src.data(), srcOffset, sizes, srcStrides);
    View to(dst.data(), dstOffset, sizes, dstStrides);
    Unranked a{rank, from.words.data()}, b{rank, to.words.data()};
    memrefCopy(sizeof(int32_t), &a, &b);
    ASSERT_EQ(dst, want) << "trial " << trial << ", rank " << rank;
  }
}

} // namespace
