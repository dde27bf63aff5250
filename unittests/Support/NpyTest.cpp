//===- NpyTest.cpp - the strict .npy reader and writer --------------------===//

#include "dq/Support/Npy.h"

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

} // namespace
