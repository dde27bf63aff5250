//===- Tensor.cpp - A dense host tensor -----------------------------------===//

#include "dq/Support/Tensor.h"

#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#ifndef _WIN32
#include <sys/resource.h>
#include <unistd.h>
#endif

#include <algorithm>

using namespace dq;

std::optional<uint64_t> dq::getCheckedByteSize(DType Type,
                                               llvm::ArrayRef<int64_t> Shape) {
  if (Shape.size() > kMaxTensorRank)
    return std::nullopt;
  int64_t Bytes = static_cast<int64_t>(getDTypeSize(Type));
  // Check every dim even after a zero so that e.g. [0, -1] is still invalid;
  // the product stays exact because it is checked at every step.
  for (int64_t Dim : Shape) {
    if (Dim < 0)
      return std::nullopt;
    if (llvm::MulOverflow(Bytes, Dim, Bytes))
      return std::nullopt;
  }
  return static_cast<uint64_t>(Bytes);
}

uint64_t dq::getAllocationLimit() {
  uint64_t Limit = UINT64_MAX;
#ifndef _WIN32
  long Pages = ::sysconf(_SC_PHYS_PAGES), PageSize = ::sysconf(_SC_PAGESIZE);
  if (Pages > 0 && PageSize > 0)
    Limit = uint64_t(Pages) * uint64_t(PageSize);
  struct rlimit AddressSpace;
  if (::getrlimit(RLIMIT_AS, &AddressSpace) == 0 &&
      AddressSpace.rlim_cur != RLIM_INFINITY)
    Limit = std::min<uint64_t>(Limit, AddressSpace.rlim_cur);
#endif
  return Limit;
}

llvm::Error dq::checkAllocation(uint64_t Bytes) {
  uint64_t Limit = getAllocationLimit();
  if (Bytes <= Limit)
    return llvm::Error::success();
  return llvm::createStringError("needs " + llvm::Twine(Bytes) +
                                 " bytes, more than the " + llvm::Twine(Limit) +
                                 " bytes of memory available to this process");
}

std::string dq::formatShape(llvm::ArrayRef<int64_t> Shape) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << '[';
  llvm::interleave(Shape, OS, ", ");
  OS << ']';
  return S;
}

llvm::Expected<Tensor> Tensor::create(DType Type,
                                      llvm::ArrayRef<int64_t> Shape) {
  std::optional<uint64_t> Bytes = getCheckedByteSize(Type, Shape);
  if (!Bytes)
    return llvm::createStringError("invalid tensor shape " +
                                   formatShape(Shape) + " for dtype " +
                                   getDTypeName(Type));
  Tensor T;
  T.Type = Type;
  T.Shape.assign(Shape.begin(), Shape.end());
  T.Data.assign(*Bytes, 0);
  return T;
}

int64_t Tensor::getNumElements() const {
  int64_t N = 1;
  for (int64_t Dim : Shape)
    N *= Dim;
  return N;
}

llvm::Error Tensor::verify() const {
  std::optional<uint64_t> Bytes = getCheckedByteSize(Type, Shape);
  if (!Bytes)
    return llvm::createStringError("invalid tensor shape " + getShapeString() +
                                   " for dtype " + getDTypeName(Type));
  if (*Bytes != Data.size())
    return llvm::createStringError(
        "tensor data has " + llvm::Twine(Data.size()) + " bytes but dtype " +
        getDTypeName(Type) + " and shape " + getShapeString() + " need " +
        llvm::Twine(*Bytes));
  return llvm::Error::success();
}

std::string Tensor::getShapeString() const { return formatShape(Shape); }
