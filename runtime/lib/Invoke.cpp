//===- Invoke.cpp - calling compiled functions through memref descriptors -===//
//
// `_mlir_ciface_<name>` takes one pointer per argument (to its memref
// descriptor) after one pointer to the result descriptor(s), if any. A
// descriptor of rank r is {allocated, aligned, offset, sizes[r], strides[r]},
// all 8-byte words, so several results are simply consecutive descriptors.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cstdlib>
#include <cstring>
#include <set>
#include <utility>

using namespace dqrt;

namespace {

using Ptr = void *;
constexpr size_t kMaxPointers = 64;

template <size_t... I>
void callWith(void *fn, Ptr *args, std::index_sequence<I...>) {
  using Fn = void (*)(decltype((void)I, Ptr())...);
  reinterpret_cast<Fn>(fn)(args[I]...);
}

template <size_t N> void callN(void *fn, Ptr *args) {
  callWith(fn, args, std::make_index_sequence<N>());
}

template <size_t... N> constexpr auto makeCallers(std::index_sequence<N...>) {
  return std::array<void (*)(void *, Ptr *), sizeof...(N)>{callN<N>...};
}

constexpr auto callers =
    makeCallers(std::make_index_sequence<kMaxPointers + 1>());

size_t descriptorWords(size_t rank) { return 3 + 2 * rank; }

/// Row-major strides of `shape`.
std::vector<int64_t> contiguousStrides(llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i > 1; --i)
    strides[i - 2] = strides[i - 1] * shape[i - 1];
  return strides;
}

std::string shapeString(dqrt_dtype dtype, llvm::ArrayRef<int64_t> dims) {
  TensorType t{dtype, std::vector<int64_t>(dims.begin(), dims.end())};
  return t.str();
}

llvm::Error checkArg(llvm::StringRef name, size_t i, const TensorType &want,
                     const dqrt_buffer_view &got) {
  if (got.rank < 0 || (got.rank > 0 && !got.shape))
    return makeError(DQRT_INVALID_ARGUMENT, "argument #" + llvm::Twine(i) +
                                                " of '" + name +
                                                "': invalid rank or shape");
  llvm::ArrayRef<int64_t> dims(got.shape, got.rank);
  std::optional<dqrt_dtype> dtype = getCheckedDType(got.dtype);
  bool ok = dtype && *dtype == want.dtype && dims.size() == want.dims.size();
  for (size_t d = 0; ok && d < dims.size(); ++d)
    ok = dims[d] >= 0 && (want.dims[d] < 0 || want.dims[d] == dims[d]);
  if (!ok)
    return makeError(DQRT_INVALID_ARGUMENT,
                     "argument #" + llvm::Twine(i) + " of '" + name +
                         "': expected " + want.str() + ", got " +
                         (dtype ? shapeString(*dtype, dims)
                                : std::string("an unknown element type")));
  return llvm::Error::success();
}

size_t product(llvm::ArrayRef<int64_t> dims) {
  size_t n = 1;
  for (int64_t d : dims)
    n *= static_cast<size_t>(d);
  return n;
}

template <typename T>
std::optional<std::pair<size_t, int64_t>>
findOutside(const void *data, size_t n, int64_t lo, int64_t hi) {
  const T *values = static_cast<const T *>(data);
  for (size_t k = 0; k < n; ++k)
    if (int64_t(values[k]) < lo || int64_t(values[k]) > hi)
      return std::pair<size_t, int64_t>(k, int64_t(values[k]));
  return std::nullopt;
}

/// Checks an integer argument's elements against its declared bounds, so
/// that a token id or position out of range fails the call instead of
/// making the compiled code read outside a table.
llvm::Error checkBounds(llvm::StringRef name, size_t i,
                        const std::pair<int64_t, int64_t> &bounds,
                        const dqrt_buffer_view &view) {
  auto [lo, hi] = bounds;
  size_t n = product(llvm::ArrayRef<int64_t>(view.shape, view.rank));
  std::optional<std::pair<size_t, int64_t>> bad;
  switch (*getCheckedDType(view.dtype)) {
  case DQRT_I8:
    bad = findOutside<int8_t>(view.data, n, lo, hi);
    break;
  case DQRT_I32:
    bad = findOutside<int32_t>(view.data, n, lo, hi);
    break;
  case DQRT_I64:
    bad = findOutside<int64_t>(view.data, n, lo, hi);
    break;
  default:
    return llvm::Error::success(); // The signature parser allows no other.
  }
  if (!bad)
    return llvm::Error::success();
  return makeError(DQRT_INVALID_ARGUMENT,
                   "argument #" + llvm::Twine(i) + " of '" + name +
                       "': element " + llvm::Twine(bad->first) + " is " +
                       llvm::Twine(bad->second) + ", outside its bounds [" +
                       llvm::Twine(lo) + ", " + llvm::Twine(hi) + "]");
}

/// Copies a strided memref into new C-contiguous memory.
void *copyContiguous(const char *base, llvm::ArrayRef<int64_t> sizes,
                     llvm::ArrayRef<int64_t> strides, size_t elementSize) {
  size_t n = product(sizes);
  char *out = static_cast<char *>(std::malloc(n ? n * elementSize : 1));
  if (!out)
    return nullptr;
  std::vector<int64_t> index(sizes.size(), 0);
  for (size_t linear = 0; linear < n; ++linear) {
    int64_t offset = 0;
    for (size_t d = 0; d < sizes.size(); ++d)
      offset += index[d] * strides[d];
    std::memcpy(out + linear * elementSize, base + offset * elementSize,
                elementSize);
    for (size_t d = sizes.size(); d > 0; --d) {
      if (++index[d - 1] < sizes[d - 1])
        break;
      index[d - 1] = 0;
    }
  }
  return out;
}

} // namespace

llvm::Error dqrt::invoke(void *entry, llvm::StringRef name,
                         const Signature &sig,
                         llvm::ArrayRef<dqrt_buffer_view> args,
                         llvm::MutableArrayRef<dqrt_buffer> results,
                         size_t &tiedCopies) {
  if (args.size() != sig.args.size())
    return makeError(DQRT_INVALID_ARGUMENT,
                     "'" + name + "' takes " + llvm::Twine(sig.args.size()) +
                         " argument(s), got " + llvm::Twine(args.size()));
  if (results.size() != sig.results.size())
    return makeError(
        DQRT_INVALID_ARGUMENT,
        "'" + name + "' returns " + llvm::Twine(sig.results.size()) +
            " result(s), space was given for " + llvm::Twine(results.size()));
  bool anyDescriptor = llvm::is_contained(sig.inPlace, false);
  size_t numPointers = args.size() + (anyDescriptor ? 1 : 0);
  if (numPointers > kMaxPointers)
    return makeError(DQRT_INVALID_ARGUMENT, "'" + name + "' has more than " +
                                                llvm::Twine(kMaxPointers) +
                                                " arguments and results");

  std::vector<std::vector<int64_t>> argDescriptors;
  std::set<const void *> inputData;
  for (auto [i, view] : llvm::enumerate(args)) {
    if (llvm::Error err = checkArg(name, i, sig.args[i], view))
      return err;
    llvm::ArrayRef<int64_t> dims(view.shape, view.rank);
    if (!view.data && product(dims) != 0)
      return makeError(DQRT_INVALID_ARGUMENT, "argument #" + llvm::Twine(i) +
                                                  " of '" + name +
                                                  "' has no data");
    if (sig.argBounds[i])
      if (llvm::Error err = checkBounds(name, i, *sig.argBounds[i], view))
        return err;
    std::vector<int64_t> words(descriptorWords(view.rank));
    words[0] = words[1] = reinterpret_cast<int64_t>(view.data);
    words[2] = 0;
    std::vector<int64_t> strides = contiguousStrides(dims);
    for (int32_t d = 0; d < view.rank; ++d) {
      words[3 + d] = dims[d];
      words[3 + view.rank + d] = strides[d];
    }
    argDescriptors.push_back(std::move(words));
    inputData.insert(view.data);
  }

  // A tied argument's memory is overwritten with its result: no other
  // argument may read from it.
  for (auto [j, tied] : llvm::enumerate(sig.tiedArg)) {
    if (!tied)
      continue;
    for (auto [i, view] : llvm::enumerate(args))
      if (i != *tied && view.data && view.data == args[*tied].data)
        return makeError(DQRT_INVALID_ARGUMENT,
                         "argument #" + llvm::Twine(*tied) + " of '" + name +
                             "' is tied to result #" + llvm::Twine(j) +
                             " and must not share memory with argument #" +
                             llvm::Twine(i));
  }

  size_t resultWords = 0;
  for (auto [j, t] : llvm::enumerate(sig.results))
    if (!sig.inPlace[j])
      resultWords += descriptorWords(t.dims.size());
  std::vector<int64_t> resultDescriptors(resultWords, 0);

  std::vector<Ptr> pointers;
  if (anyDescriptor)
    pointers.push_back(resultDescriptors.data());
  for (std::vector<int64_t> &words : argDescriptors)
    pointers.push_back(words.data());
  callers[pointers.size()](entry, pointers.data());

  // Take ownership of the results. The callee returns buffers the caller
  // owns; stay defensive about aliasing anyway (an input, or one allocation
  // returned twice, is copied rather than freed or adopted twice).
  std::set<void *> adopted;
  std::vector<size_t> offsets;
  size_t at = 0;
  for (auto [j, type] : llvm::enumerate(sig.results)) {
    offsets.push_back(at);
    if (!sig.inPlace[j])
      at += descriptorWords(type.dims.size());
  }
  // Untied results first: one may still read a tied argument's memory (the
  // value it had on entry), which a tied result is then copied over.
  std::vector<size_t> order;
  for (size_t i = 0; i < sig.results.size(); ++i)
    if (!sig.tiedArg[i])
      order.push_back(i);
  for (size_t i = 0; i < sig.results.size(); ++i)
    if (sig.tiedArg[i])
      order.push_back(i);
  for (size_t i : order) {
    const TensorType &type = sig.results[i];
    if (sig.inPlace[i]) {
      // The compiled code updated the tied argument; no descriptor.
      const dqrt_buffer_view &arg = args[*sig.tiedArg[i]];
      auto buffer = std::make_unique<dqrt_buffer_s>();
      buffer->dtype = type.dtype;
      buffer->shape.assign(arg.shape, arg.shape + arg.rank);
      buffer->numElements = product(buffer->shape);
      buffer->data = arg.data;
      results[i] = buffer.release();
      continue;
    }
    size_t rank = type.dims.size();
    const int64_t *words = resultDescriptors.data() + offsets[i];
    void *allocated = reinterpret_cast<void *>(words[0]);
    char *aligned = reinterpret_cast<char *>(words[1]);
    llvm::ArrayRef<int64_t> sizes(words + 3, rank);
    llvm::ArrayRef<int64_t> strides(words + 3 + rank, rank);
    size_t elementSize = dqrt_dtype_size(type.dtype);
    char *base = aligned + words[2] * elementSize;

    auto buffer = std::make_unique<dqrt_buffer_s>();
    buffer->dtype = type.dtype;
    buffer->shape.assign(sizes.begin(), sizes.end());
    buffer->numElements = product(sizes);
    bool contiguous =
        strides == llvm::ArrayRef<int64_t>(contiguousStrides(sizes)) ||
        buffer->numElements <= 1;
    bool ownable =
        allocated && !inputData.count(allocated) && !adopted.count(allocated);
    if (std::optional<size_t> tied = sig.tiedArg[i]) {
      // Returned in the tied argument's memory: in place when the compiled
      // code wrote it there, else copied back (and counted).
      const dqrt_buffer_view &arg = args[*tied];
      if (sizes != llvm::ArrayRef<int64_t>(arg.shape, arg.rank))
        return makeError(
            DQRT_INVALID_ARGUMENT,
            "result #" + llvm::Twine(i) + " of '" + name +
                "' is tied to argument #" + llvm::Twine(*tied) +
                " but has shape " + shapeString(type.dtype, sizes) +
                ", the argument " +
                shapeString(type.dtype,
                            llvm::ArrayRef<int64_t>(arg.shape, arg.rank)));
      if (!(contiguous && base == arg.data)) {
        void *copy = copyContiguous(base, sizes, strides, elementSize);
        if (!copy)
          return makeError(DQRT_INTERNAL, "out of memory copying result #" +
                                              llvm::Twine(i) + " of '" + name +
                                              "'");
        std::memcpy(arg.data, copy, buffer->numElements * elementSize);
        std::free(copy);
        ++tiedCopies;
        if (ownable) {
          poolFree(allocated);
          adopted.insert(allocated);
        }
      }
      buffer->data = arg.data;
      buffer->allocation = nullptr; // the caller's memory
    } else if (contiguous && ownable) {
      buffer->data = base;
      buffer->allocation = allocated;
      adopted.insert(allocated);
    } else {
      buffer->data = copyContiguous(base, sizes, strides, elementSize);
      buffer->allocation = buffer->data;
      if (!buffer->data)
        return makeError(DQRT_INTERNAL, "out of memory copying result #" +
                                            llvm::Twine(i) + " of '" + name +
                                            "'");
      if (ownable) {
        poolFree(allocated);
        adopted.insert(allocated);
      }
    }
    results[i] = buffer.release();
  }
  return llvm::Error::success();
}
