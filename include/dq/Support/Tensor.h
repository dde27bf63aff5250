//===- Tensor.h - A dense host tensor read from or written to a file -*- C++
//-*-//
//
// The value type exchanged with .npy and safetensors files: element type,
// shape, and the raw little-endian bytes in C (row-major) order.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_SUPPORT_TENSOR_H
#define DQ_SUPPORT_TENSOR_H

#include "dq/Support/DType.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dq {

/// Largest rank accepted by the readers and writers (numpy's own limit).
constexpr size_t kMaxTensorRank = 64;

/// A dense, contiguous, C-order tensor. Data holds exactly
/// getNumElements() * getDTypeSize(Type) bytes when the tensor is valid
/// (see verify()); multi-byte elements are little-endian.
struct Tensor {
  DType Type = DType::F32;
  /// Dimensions, outermost first. Empty for a 0-d (scalar) tensor, which
  /// holds one element.
  std::vector<int64_t> Shape;
  std::vector<uint8_t> Data;

  /// Creates a zero-filled tensor; fails on negative dims, a rank above
  /// kMaxTensorRank, or a byte size that overflows.
  static llvm::Expected<Tensor> create(DType Type,
                                       llvm::ArrayRef<int64_t> Shape);

  /// Product of the dims (1 for 0-d). Only meaningful for a valid shape.
  int64_t getNumElements() const;

  /// Checks that the shape is valid and Data has the matching size.
  llvm::Error verify() const;

  /// Shape formatted as "[2, 3]" ("[]" for 0-d), for messages.
  std::string getShapeString() const;
};

/// Byte size of a tensor of this type and shape, or std::nullopt when a dim
/// is negative, the rank exceeds kMaxTensorRank, or the size does not fit
/// in int64_t.
std::optional<uint64_t> getCheckedByteSize(DType Type,
                                           llvm::ArrayRef<int64_t> Shape);

/// The most bytes one allocation may take: the machine's physical memory, or
/// a lower address-space limit (ulimit -v). Readers check the tensors they
/// are about to copy against it, so that a file whose header is consistent
/// with its size but absurd (e.g. a sparse file of terabytes) gives an error
/// instead of a failed allocation, which aborts the process.
uint64_t getAllocationLimit();

/// Fails with "... needs N bytes, more than the M bytes of memory available
/// to this process" when Bytes exceeds getAllocationLimit().
llvm::Error checkAllocation(uint64_t Bytes);

/// "[2, 3]" for {2, 3}; "[]" for a 0-d shape.
std::string formatShape(llvm::ArrayRef<int64_t> Shape);

} // namespace dq

#endif // DQ_SUPPORT_TENSOR_H
