//===- MemRefCopy.cpp - the memrefCopy symbol lowered code may call -------===//
//
// finalize-memref-to-llvm lowers a copy between non-contiguous memrefs to a
// call `memrefCopy(elementSize, src, dst)` on unranked descriptors. MLIR ships
// it in libmlir_c_runner_utils, which depends on libMLIR and libLLVM; the
// runtime provides its own so that ahead-of-time modules run without LLVM.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstring>
#include <vector>

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

/// `source` and `target` point to UnrankedDescriptors.
extern "C" __attribute__((visibility("default"))) void
memrefCopy(int64_t elementSize, void *source, void *target) {
  auto *src = static_cast<UnrankedDescriptor *>(source);
  auto *dst = static_cast<UnrankedDescriptor *>(target);
  int64_t rank = src->rank;
  RankedView from(*src), to(*dst);
  int64_t total = 1;
  for (int64_t d = 0; d < rank; ++d)
    total *= from.sizes[d];
  if (total == 0)
    return;
  std::vector<int64_t> index(rank, 0);
  int64_t srcOffset = from.offset, dstOffset = to.offset;
  for (int64_t i = 0; i < total; ++i) {
    std::memcpy(to.aligned + dstOffset * elementSize,
                from.aligned + srcOffset * elementSize, elementSize);
    // Advance the multi-index like an odometer, updating both offsets.
    for (int64_t d = rank - 1; d >= 0; --d) {
      srcOffset += from.strides[d];
      dstOffset += to.strides[d];
      if (++index[d] < from.sizes[d])
        break;
      srcOffset -= from.strides[d] * from.sizes[d];
      dstOffset -= to.strides[d] * to.sizes[d];
      index[d] = 0;
    }
  }
}
