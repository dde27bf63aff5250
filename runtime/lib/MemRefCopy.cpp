//===- MemRefCopy.cpp - the memrefCopy symbol lowered code may call -------===//
//
// finalize-memref-to-llvm lowers a copy between non-contiguous memrefs to a
// call `memrefCopy(elementSize, src, dst)` on unranked descriptors. MLIR ships
// it in libmlir_c_runner_utils, which depends on libMLIR and libLLVM; the
// runtime provides its own so that ahead-of-time modules run without LLVM.
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <cstring>

namespace {
struct UnrankedDescriptor {
  int64_t rank;
  void *descriptor;
};

/// {allocated, aligned, offset, sizes[rank], strides[rank]} as 8-byte words.
struct RankedView {
  char *aligned;
  int64_t offset;
  const int64_t *sizes;
  const int64_t *strides;
  explicit RankedView(const UnrankedDescriptor &u) {
    auto *words = static_cast<const int64_t *>(u.descriptor);
    aligned = reinterpret_cast<char *>(words[1]);
    offset = words[2];
    sizes = words + 3;
    strides = words + 3 + u.rank;
  }
};
} // namespace

/// `source` and `target` point to UnrankedDescriptors. The innermost
/// dimensions that are contiguous in both views are copied as one run (a
/// concatenation's halves of a row, a cache's rows): element by element,
/// a prefill's RoPE concatenations ran at 1.5 GB/s.
extern "C" __attribute__((visibility("default"))) void
memrefCopy(int64_t elementSize, void *source, void *target) {
  auto *src = static_cast<UnrankedDescriptor *>(source);
  auto *dst = static_cast<UnrankedDescriptor *>(target);
  int64_t rank = src->rank;
  RankedView from(*src), to(*dst);
  for (int64_t d = 0; d < rank; ++d)
    if (from.sizes[d] == 0)
      return;
  // Dimensions [outer, rank) form one contiguous run of `run` elements in
  // both views; a dimension of size 1 joins it whatever its strides.
  int64_t run = 1, outer = rank;
  while (outer > 0) {
    int64_t d = outer - 1;
    if (from.sizes[d] != 1 && (from.strides[d] != run || to.strides[d] != run))
      break;
    run *= from.sizes[d];
    outer = d;
  }
  size_t runBytes = static_cast<size_t>(run * elementSize);
  int64_t srcOffset = from.offset, dstOffset = to.offset;
  if (outer == 0) {
    std::memmove(to.aligned + dstOffset * elementSize,
                 from.aligned + srcOffset * elementSize, runBytes);
    return;
  }
  // On the stack: decode calls this some sixty times a step.
  llvm::SmallVector<int64_t, 8> index(outer, 0);
  while (true) {
    std::memmove(to.aligned + dstOffset * elementSize,
                 from.aligned + srcOffset * elementSize, runBytes);
    // Advance the outer multi-index like an odometer, updating both
    // offsets.
    int64_t d = outer - 1;
    for (; d >= 0; --d) {
      srcOffset += from.strides[d];
      dstOffset += to.strides[d];
      if (++index[d] < from.sizes[d])
        break;
      srcOffset -= from.strides[d] * from.sizes[d];
      dstOffset -= to.strides[d] * to.sizes[d];
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}
