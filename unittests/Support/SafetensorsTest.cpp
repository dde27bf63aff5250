//===- SafetensorsTest.cpp - the strict safetensors reader and writer -----===//

#include "dq/Support/Safetensors.h"

#include "llvm/Support/FileSystem.h"
#include "gtest/gtest.h"

#include <cstring>

using namespace dq;

namespace {

/// A file as the format describes it: 8-byte little-endian header length,
/// the JSON header, the data.
std::string makeFile(const std::string &Header, const std::string &Data) {
  std::string File(8, '\0');
  uint64_t Len = Header.size();
  for (int I = 0; I < 8; ++I)
    File[I] = char((Len >> (8 * I)) & 0xff);
  return File + Header + Data;
}

llvm::Expected<SafetensorsReader> parseBytes(const std::string &Bytes) {
  return SafetensorsReader::parse(
      llvm::MemoryBuffer::getMemBufferCopy(Bytes, "t.safetensors"),
      "t.safetensors");
}

std::string errorOf(const std::string &Bytes) {
  llvm::Expected<SafetensorsReader> R = parseBytes(Bytes);
  if (R)
    return "<no error>";
  return llvm::toString(R.takeError());
}

std::string floatBytes(std::initializer_list<float> Values) {
  std::string S;
  for (float V : Values)
    S.append(reinterpret_cast<const char *>(&V), 4);
  return S;
}

TEST(Safetensors, ReadsHandWrittenFile) {
  std::string File =
      makeFile(R"({"__metadata__":{"format":"pt"},)"
               R"("b":{"dtype":"I8","shape":[3],"data_offsets":[8,11]},)"
               R"("a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}})",
               floatBytes({1.5f, -2}) + std::string("\x01\xff\x7f", 3));
  llvm::Expected<SafetensorsReader> R = parseBytes(File);
  ASSERT_TRUE(bool(R)) << llvm::toString(R.takeError());
  EXPECT_EQ(R->getNames().vec(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(R->getMetadata().at("format"), "pt");
  llvm::Expected<Tensor> A = R->read("a");
  ASSERT_TRUE(bool(A));
  EXPECT_EQ(A->Type, DType::F32);
  EXPECT_EQ(A->Shape, (std::vector<int64_t>{1, 2}));
  float V[2];
  std::memcpy(V, A->Data.data(), 8);
  EXPECT_EQ(V[0], 1.5f);
  EXPECT_EQ(V[1], -2.0f);
  llvm::Expected<Tensor> B = R->read("b");
  ASSERT_TRUE(bool(B));
  EXPECT_EQ(B->Type, DType::I8);
  EXPECT_EQ(B->Data, (std::vector<uint8_t>{0x01, 0xff, 0x7f}));
}

TEST(Safetensors, WriteThenReadRoundTrips) {
  llvm::SmallString<128> Path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("dq", "safetensors", Path));
  std::vector<NamedTensor> Tensors;
  for (DType Type : getAllDTypes()) {
    llvm::Expected<Tensor> T = Tensor::create(Type, {2, 3});
    ASSERT_TRUE(bool(T));
    for (size_t I = 0; I < T->Data.size(); ++I)
      T->Data[I] = uint8_t(I * 7 + 1);
    if (Type == DType::Bool)
      for (uint8_t &B : T->Data)
        B &= 1;
    Tensors.push_back({std::string(getDTypeName(Type)), std::move(*T)});
  }
  ASSERT_FALSE(llvm::errorToBool(
      writeSafetensorsFile(Path, Tensors, {{"producer", "dq-test"}})));
  llvm::Expected<SafetensorsReader> R = SafetensorsReader::open(Path);
  ASSERT_TRUE(bool(R)) << llvm::toString(R.takeError());
  EXPECT_EQ(R->getMetadata().at("producer"), "dq-test");
  for (const NamedTensor &NT : Tensors) {
    llvm::Expected<Tensor> T = R->read(NT.Name);
    ASSERT_TRUE(bool(T)) << NT.Name;
    EXPECT_EQ(T->Type, NT.Value.Type) << NT.Name;
    EXPECT_EQ(T->Shape, NT.Value.Shape) << NT.Name;
    EXPECT_EQ(T->Data, NT.Value.Data) << NT.Name;
  }
  llvm::sys::fs::remove(Path);
}

TEST(Safetensors, HeaderIsPaddedToEightBytes) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  llvm::Expected<Tensor> T = Tensor::create(DType::F32, {1});
  ASSERT_TRUE(bool(T));
  ASSERT_FALSE(llvm::errorToBool(writeSafetensors(OS, {{"x", *T}})));
  OS.flush();
  uint64_t Len = 0;
  std::memcpy(&Len, Out.data(), 8);
  EXPECT_EQ(Len % 8, 0u);
  EXPECT_EQ(Out.size(), 8 + Len + 4);
}

TEST(Safetensors, UnknownNameListsWhatExists) {
  std::string File =
      makeFile(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
               floatBytes({1}));
  llvm::Expected<SafetensorsReader> R = parseBytes(File);
  ASSERT_TRUE(bool(R));
  llvm::Expected<Tensor> T = R->read("h");
  ASSERT_FALSE(bool(T));
  EXPECT_EQ(llvm::toString(T.takeError()),
            "t.safetensors: no tensor named 'h' (has: w)");
}

TEST(Safetensors, RejectsTruncatedHeader) {
  EXPECT_EQ(errorOf(std::string("\x10\x00\x00", 3)),
            "t.safetensors: truncated safetensors file: 3 bytes, too short "
            "for the header length");
  EXPECT_EQ(errorOf(makeFile("{}", "").substr(0, 9)),
            "t.safetensors: truncated safetensors file: the header claims 2 "
            "bytes but only 1 follow");
}

TEST(Safetensors, RejectsAbsurdHeaderLength) {
  std::string File(8, '\xff');
  EXPECT_EQ(errorOf(File + "{}"),
            "t.safetensors: header length 18446744073709551615 exceeds the "
            "limit of 104857600 bytes (not a safetensors file?)");
}

TEST(Safetensors, RejectsTruncatedData) {
  std::string File =
      makeFile(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
               floatBytes({1}));
  EXPECT_EQ(errorOf(File),
            "t.safetensors: truncated safetensors file: tensor 'w' ends at "
            "byte 8 of the data buffer, which has only 4");
}

TEST(Safetensors, RejectsShapeOffsetMismatch) {
  std::string File =
      makeFile(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
               floatBytes({1, 2}));
  EXPECT_EQ(errorOf(File), "t.safetensors: entry 'w': shape [3] of F32 needs "
                           "12 bytes but data_offsets span 8");
}

TEST(Safetensors, RejectsOverlapGapAndTrailingBytes) {
  std::string Overlap =
      makeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
               R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
               floatBytes({1, 2}));
  EXPECT_EQ(errorOf(Overlap),
            "t.safetensors: tensor 'b' overlaps the previous tensor");
  std::string Gap =
      makeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
               floatBytes({1, 2}));
  EXPECT_EQ(errorOf(Gap),
            "t.safetensors: gap in the data buffer before tensor 'a'");
  std::string Trailing =
      makeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
               floatBytes({1, 2}));
  EXPECT_EQ(errorOf(Trailing),
            "t.safetensors: 4 unexpected trailing bytes after the last tensor");
}

TEST(Safetensors, RejectsUnknownDTypeAndBadJSON) {
  std::string File =
      makeFile(R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})",
               std::string(1, '\0'));
  EXPECT_EQ(errorOf(File),
            "t.safetensors: entry 'a' has unsupported dtype 'F8_E4M3'");
  std::string Bad = makeFile(R"({"a": )", "");
  std::string Err = errorOf(Bad);
  EXPECT_TRUE(llvm::StringRef(Err).starts_with(
      "t.safetensors: malformed JSON header: "))
      << Err;
  EXPECT_EQ(errorOf(makeFile("PK not json", "")),
            "t.safetensors: header is not a JSON object (not a safetensors "
            "file?)");
}

TEST(Safetensors, RejectsNegativeShapeAndBadMetadata) {
  std::string Neg = makeFile(
      R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})", "");
  EXPECT_EQ(errorOf(Neg), "t.safetensors: entry 'a' has a shape that is not "
                          "a list of non-negative integers");
  std::string Meta = makeFile(R"({"__metadata__":{"n":3}})", "");
  EXPECT_EQ(errorOf(Meta),
            "t.safetensors: metadata value of 'n' is not a string");
}

TEST(Safetensors, WriterRefusesBadInputWithoutCreatingFile) {
  llvm::SmallString<128> Dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("dq", Dir));
  std::string Path = (Dir + "/out.safetensors").str();
  llvm::Expected<Tensor> T = Tensor::create(DType::F32, {1});
  ASSERT_TRUE(bool(T));
  llvm::Error E = writeSafetensorsFile(Path, {{"x", *T}, {"x", *T}});
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "cannot write '" + Path + "': duplicate tensor name 'x'");
  EXPECT_FALSE(llvm::sys::fs::exists(Path));
  Tensor Broken = *T;
  Broken.Data.pop_back();
  E = writeSafetensorsFile(Path, {{"y", Broken}});
  ASSERT_TRUE(bool(E));
  EXPECT_FALSE(llvm::sys::fs::exists(Path));
  llvm::consumeError(std::move(E));
  llvm::sys::fs::remove_directories(Dir);
}

} // namespace
