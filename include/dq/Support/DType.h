//===- DType.h - Element types of tensor files ------------------*- C++ -*-===//
//
// A small element-type enum shared by the .npy and safetensors readers and
// writers. Plain C++: no MLIR types, so the runtime can use it too.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_SUPPORT_DTYPE_H
#define DQ_SUPPORT_DTYPE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace dq {

/// Element type of a tensor. All multi-byte types are little-endian in
/// memory and on disk.
enum class DType : uint8_t {
  Bool,
  I8,
  U8,
  I16,
  U16,
  I32,
  U32,
  I64,
  U64,
  F16,
  BF16,
  F32,
  F64,
};

/// Every DType, in enum order (handy for tests and diagnostics).
llvm::ArrayRef<DType> getAllDTypes();

/// Size of one element in bytes (Bool is one byte, 0 or 1).
size_t getDTypeSize(DType Type);

/// Short lower-case name used in messages and on the command line:
/// "bool", "i8", "u8", ..., "f16", "bf16", "f32", "f64".
llvm::StringRef getDTypeName(DType Type);
std::optional<DType> parseDTypeName(llvm::StringRef Name);

/// safetensors dtype string: "BOOL", "I8", "U8", ..., "F16", "BF16", "F32".
llvm::StringRef getSafetensorsDTypeName(DType Type);
std::optional<DType> parseSafetensorsDTypeName(llvm::StringRef Name);

/// numpy descr as written by numpy.save: "|b1", "|i1", "|u1", "<i2", ...,
/// "<f2", "<f4", "<f8". BF16 has no numpy descr and yields std::nullopt.
std::optional<llvm::StringRef> getNpyDescr(DType Type);

/// Inverse of getNpyDescr. Only the descrs that describe a little-endian
/// scalar we support are accepted: '<' for every type, '|' only for one-byte
/// types. Big-endian ('>'), native ('='), and everything else yield nullopt;
/// the .npy reader classifies those for its messages.
std::optional<DType> parseNpyDescr(llvm::StringRef Descr);

} // namespace dq

#endif // DQ_SUPPORT_DTYPE_H
