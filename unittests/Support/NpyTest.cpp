//===- NpyTest.cpp - the strict .npy reader and writer --------------------===//

#include "dq/Support/Npy.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "gtest/gtest.h"

#include <cstring>
#include <string>

using namespace dq;

namespace {

/// A version 1.0 .npy file as numpy writes it: header padded with spaces so
/// that the data starts at a multiple of 64, then the raw bytes.
std::string makeNpy(const std::string &Dict, const std::string &Data) {
  std::string Header = Dict;
  size_t Total = 10 + Header.size() + 1;
  Header.append((64 - Total % 64) % 64, ' ');
  Header += '\n';
  std::string File = "\x93NUMPY\x01";
  File += '\0';
  File += char(Header.size() & 0xff);
  File += char(Header.size() >> 8);
  return File + Header + Data;
}

std::string floatBytes(std::initializer_list<float> Values) {
  std::string S;
  for (float V : Values) {
    char B[4];
    std::memcpy(B, &V, 4);
    S.append(B, 4);
  }
  return S;
}

std::string errorOf(llvm::Expected<Tensor> T) {
  if (T)
    return "<no error>";
  return llvm::toString(T.takeError());
}

TEST(Npy, ReadsNumpyFloat32) {
  std::string File =
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
              floatBytes({1, 2, 3, 4, 5, -6.5f}));
  llvm::Expected<Tensor> T = parseNpy(File, "x.npy");
  ASSERT_TRUE(bool(T)) << llvm::toString(T.takeError());
  EXPECT_EQ(T->Type, DType::F32);
  EXPECT_EQ(T->Shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(T->Data.size(), 24u);
  float Last;
  std::memcpy(&Last, T->Data.data() + 20, 4);
  EXPECT_EQ(Last, -6.5f);
}

TEST(Npy, WriterMatchesNumpyBytes) {
  // numpy.save(np.array([[1, 2, 3], [4, 5, -6.5]], np.float32)) writes
  // exactly this header.
  std::string Expected =
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
              floatBytes({1, 2, 3, 4, 5, -6.5f}));
  llvm::Expected<Tensor> T = parseNpy(Expected, "x.npy");
  ASSERT_TRUE(bool(T)) << llvm::toString(T.takeError());
  std::string Written;
  llvm::raw_string_ostream OS(Written);
  ASSERT_FALSE(llvm::errorToBool(writeNpy(OS, *T)));
  OS.flush();
  EXPECT_EQ(Written, Expected);
}

TEST(Npy, OneDimensionNeedsTupleComma) {
  std::string Good =
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
              floatBytes({1}));
  EXPECT_TRUE(bool(parseNpy(Good, "a.npy")));
  std::string Bad =
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1), }",
              floatBytes({1}));
  EXPECT_EQ(errorOf(parseNpy(Bad, "a.npy")),
            "a.npy: malformed .npy header: 'shape' must be a tuple; write "
            "(N,) for one dimension");
}

TEST(Npy, RejectsFortranOrder) {
  std::string File =
      makeNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }",
              floatBytes({1}));
  EXPECT_EQ(errorOf(parseNpy(File, "f.npy")),
            "f.npy: fortran_order=True is not supported; save a C-order "
            "array (numpy.ascontiguousarray)");
}

TEST(Npy, RejectsTruncatedData) {
  std::string File =
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
              floatBytes({1, 2, 3}));
  EXPECT_EQ(errorOf(parseNpy(File, "t.npy")),
            "t.npy: truncated .npy file: shape [2, 3] with dtype '<f4' needs "
            "24 data bytes but only 12 follow the header");
}

TEST(Npy, RejectsAbsurdShapeBeforeAllocating) {
  std::string File = makeNpy("{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (4294967296, 4294967296), }",
                             "");
  EXPECT_EQ(errorOf(parseNpy(File, "big.npy")),
            "big.npy: shape [4294967296, 4294967296] with dtype '<f8' is too "
            "large (byte size overflows)");
}

TEST(Npy, RejectsBadMagicAndBigEndian) {
  EXPECT_EQ(errorOf(parseNpy("PK\x03\x04 not npy", "z.npy")),
            "z.npy: not a .npy file (bad magic string)");
  std::string Big =
      makeNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }",
              floatBytes({1}));
  EXPECT_EQ(errorOf(parseNpy(Big, "b.npy")),
            "b.npy: big-endian dtype '>f4' is not supported; convert with "
            "arr.astype(arr.dtype.newbyteorder('<'))");
}

TEST(Npy, ReadsFloat16) {
  std::string File =
      makeNpy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }",
              std::string("\x00\x3c\x00\xc0", 4)); // 1.0 and -2.0 in binary16.
  llvm::Expected<Tensor> T = parseNpy(File, "h.npy");
  ASSERT_TRUE(bool(T)) << llvm::toString(T.takeError());
  EXPECT_EQ(T->Type, DType::F16);
  EXPECT_EQ(T->Data, (std::vector<uint8_t>{0x00, 0x3c, 0x00, 0xc0}));
}

TEST(Npy, RejectsTruncatedHeader) {
  std::string File =
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
              floatBytes({1}));
  // Cut inside the header: the length field claims more than follows.
  EXPECT_EQ(errorOf(parseNpy(File.substr(0, 40), "h.npy")),
            "h.npy: truncated .npy file: the header claims 118 bytes but "
            "only 30 follow");
  EXPECT_EQ(errorOf(parseNpy(File.substr(0, 9), "h.npy")),
            "h.npy: truncated .npy file: ends inside the header length");
}

TEST(Npy, RejectsTrailingBytes) {
  std::string File =
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
              floatBytes({1, 2}));
  EXPECT_EQ(errorOf(parseNpy(File, "t.npy")),
            "t.npy: 4 unexpected trailing bytes after the array data (shape "
            "[1] with dtype '<f4' needs 4)");
}

TEST(Npy, RejectsUnsupportedDTypes) {
  std::string Complex =
      makeNpy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
              floatBytes({1, 2}));
  std::string Error = errorOf(parseNpy(Complex, "c.npy"));
  EXPECT_EQ(Error.rfind("c.npy: unsupported dtype '<c8' (supported: ", 0), 0u)
      << Error;
  std::string Object =
      makeNpy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
              std::string(8, '\0'));
  EXPECT_EQ(errorOf(parseNpy(Object, "o.npy")),
            "o.npy: object arrays (dtype '|O') are not supported");
}

TEST(Npy, RejectsMalformedDicts) {
  EXPECT_EQ(errorOf(parseNpy(
                makeNpy("{'descr': '<f4', 'shape': (1,), }", floatBytes({1})),
                "m.npy")),
            "m.npy: malformed .npy header: header has no 'fortran_order'");
  EXPECT_EQ(
      errorOf(parseNpy(makeNpy("{'descr': '<f4', 'descr': '<f4', "
                               "'fortran_order': False, 'shape': (1,), }",
                               floatBytes({1})),
                       "d.npy")),
      "d.npy: malformed .npy header: duplicate key 'descr' in the header");
  EXPECT_EQ(errorOf(parseNpy(makeNpy("{'descr': '<f4', 'fortran_order': "
                                     "False, 'shape': (-1,), }",
                                     floatBytes({1})),
                             "n.npy"))
                .rfind("n.npy: malformed .npy header: ", 0),
            0u);
}

TEST(Npy, ReadsScalarsAndEmptyArrays) {
  llvm::Expected<Tensor> Scalar = parseNpy(
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
              floatBytes({2.5f})),
      "s.npy");
  ASSERT_TRUE(bool(Scalar)) << llvm::toString(Scalar.takeError());
  EXPECT_TRUE(Scalar->Shape.empty());
  EXPECT_EQ(Scalar->Data.size(), 4u);
  llvm::Expected<Tensor> Empty = parseNpy(
      makeNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 0), }",
              ""),
      "e.npy");
  ASSERT_TRUE(bool(Empty)) << llvm::toString(Empty.takeError());
  EXPECT_EQ(Empty->Shape, (std::vector<int64_t>{3, 0}));
  EXPECT_TRUE(Empty->Data.empty());
}

TEST(Npy, WriteRefusesBFloat16AndMissingDirectoryCreatesNothing) {
  llvm::Expected<Tensor> T = Tensor::create(DType::BF16, {2});
  ASSERT_TRUE(bool(T)) << llvm::toString(T.takeError());
  llvm::SmallString<128> Dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("npytest", Dir));
  std::string Path = (Dir + "/b.npy").str();
  std::string Error = llvm::toString(writeNpyFile(Path, *T));
  EXPECT_EQ(Error, "cannot write '" + Path +
                       "': dtype bf16 has no .npy equivalent; write it to a "
                       ".safetensors file instead");
  EXPECT_FALSE(llvm::sys::fs::exists(Path));
  llvm::Expected<Tensor> F = Tensor::create(DType::F32, {2});
  ASSERT_TRUE(bool(F));
  std::string Missing = (Dir + "/missing/f.npy").str();
  EXPECT_TRUE(llvm::errorToBool(writeNpyFile(Missing, *F)));
  EXPECT_FALSE(llvm::sys::fs::exists(Dir + "/missing"));
  std::error_code EC;
  EXPECT_EQ(llvm::sys::fs::directory_iterator(Dir, EC),
            llvm::sys::fs::directory_iterator()); // nothing left behind
  llvm::sys::fs::remove_directories(Dir);
}

} // namespace
