//===- DType.cpp - Element types of tensor files --------------------------===//

#include "dq/Support/DType.h"

#include <cassert>

using namespace dq;

namespace {
struct DTypeInfo {
  DType Type;
  size_t Size;
  llvm::StringRef Name;
  llvm::StringRef SafetensorsName;
  // The descr numpy.save writes ('|' for one-byte types, '<' otherwise);
  // empty when numpy has no such type.
  llvm::StringRef NpyDescr;
};
} // namespace

// Indexed by the enum value; checked by the static_assert below.
static const DTypeInfo Infos[] = {
    {DType::Bool, 1, "bool", "BOOL", "|b1"},
    {DType::I8, 1, "i8", "I8", "|i1"},
    {DType::U8, 1, "u8", "U8", "|u1"},
    {DType::I16, 2, "i16", "I16", "<i2"},
    {DType::U16, 2, "u16", "U16", "<u2"},
    {DType::I32, 4, "i32", "I32", "<i4"},
    {DType::U32, 4, "u32", "U32", "<u4"},
    {DType::I64, 8, "i64", "I64", "<i8"},
    {DType::U64, 8, "u64", "U64", "<u8"},
    {DType::F16, 2, "f16", "F16", "<f2"},
    {DType::BF16, 2, "bf16", "BF16", ""},
    {DType::F32, 4, "f32", "F32", "<f4"},
    {DType::F64, 8, "f64", "F64", "<f8"},
};
static_assert(sizeof(Infos) / sizeof(Infos[0]) ==
                  static_cast<size_t>(DType::F64) + 1,
              "one DTypeInfo per DType");

static const DTypeInfo &getInfo(DType Type) {
  const DTypeInfo &Info = Infos[static_cast<size_t>(Type)];
  assert(Info.Type == Type && "DTypeInfo table out of order");
  return Info;
}

llvm::ArrayRef<DType> dq::getAllDTypes() {
  static const DType All[] = {DType::Bool, DType::I8,  DType::U8,   DType::I16,
                              DType::U16,  DType::I32, DType::U32,  DType::I64,
                              DType::U64,  DType::F16, DType::BF16, DType::F32,
                              DType::F64};
  return All;
}

size_t dq::getDTypeSize(DType Type) { return getInfo(Type).Size; }

llvm::StringRef dq::getDTypeName(DType Type) { return getInfo(Type).Name; }

std::optional<DType> dq::parseDTypeName(llvm::StringRef Name) {
  for (const DTypeInfo &Info : Infos)
    if (Info.Name == Name)
      return Info.Type;
  return std::nullopt;
}

llvm::StringRef dq::getSafetensorsDTypeName(DType Type) {
  return getInfo(Type).SafetensorsName;
}

std::optional<DType> dq::parseSafetensorsDTypeName(llvm::StringRef Name) {
  for (const DTypeInfo &Info : Infos)
    if (Info.SafetensorsName == Name)
      return Info.Type;
  return std::nullopt;
}

std::optional<llvm::StringRef> dq::getNpyDescr(DType Type) {
  llvm::StringRef Descr = getInfo(Type).NpyDescr;
  if (Descr.empty())
    return std::nullopt;
  return Descr;
}

std::optional<DType> dq::parseNpyDescr(llvm::StringRef Descr) {
  if (Descr.size() < 2)
    return std::nullopt;
  char Order = Descr.front();
  for (const DTypeInfo &Info : Infos) {
    if (Info.NpyDescr.empty() ||
        Info.NpyDescr.drop_front() != Descr.drop_front())
      continue;
    // numpy also reads '<i1'; '|' means "no byte order" and is only valid
    // for one-byte types.
    if (Order == '<' || (Order == '|' && Info.Size == 1))
      return Info.Type;
    return std::nullopt;
  }
  return std::nullopt;
}
