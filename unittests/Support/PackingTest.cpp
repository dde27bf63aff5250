//===- PackingTest.cpp - row_major packing of low-bit integers ------------===//

#include "dq/Support/Packing.h"

#include "gtest/gtest.h"

#include <random>
#include <vector>

using namespace dq;

namespace {

/// Reference packer written bit by bit from the format description: element
/// k's bit j is stream bit k*Bits + j, and stream bit i is bit i%8 of byte
/// i/8. Deliberately unlike the implementation (no masks or word shifts).
std::vector<uint8_t> referencePack(const std::vector<int8_t> &Q, int64_t Rows,
                                   int64_t Cols, unsigned Bits) {
  int64_t RowBytes = (Cols * Bits + 7) / 8;
  std::vector<uint8_t> Out(Rows * RowBytes, 0);
  for (int64_t N = 0; N < Rows; ++N)
    for (int64_t K = 0; K < Cols; ++K) {
      int V = Q[N * Cols + K];
      // Two's complement of V in Bits bits, as an unsigned number.
      int Unsigned = V < 0 ? V + (1 << Bits) : V;
      for (unsigned J = 0; J < Bits; ++J) {
        int Bit = (Unsigned / (1 << J)) % 2;
        int64_t I = K * Bits + J;
        if (Bit)
          Out[N * RowBytes + I / 8] += uint8_t(1 << (I % 8));
      }
    }
  return Out;
}

std::vector<int8_t> randomInts(size_t Count, unsigned Bits, unsigned Seed) {
  std::mt19937 Gen(Seed);
  std::uniform_int_distribution<int> Dist(minSignedValue(Bits),
                                          maxSignedValue(Bits));
  std::vector<int8_t> Q(Count);
  for (int8_t &V : Q)
    V = int8_t(Dist(Gen));
  return Q;
}

TEST(Packing, RangesAndRowBytes) {
  EXPECT_EQ(minSignedValue(2), -2);
  EXPECT_EQ(maxSignedValue(2), 1);
  EXPECT_EQ(minSignedValue(3), -4);
  EXPECT_EQ(maxSignedValue(3), 3);
  EXPECT_EQ(minSignedValue(4), -8);
  EXPECT_EQ(maxSignedValue(4), 7);
  EXPECT_EQ(minSignedValue(8), -128);
  EXPECT_EQ(maxSignedValue(8), 127);
  EXPECT_EQ(getPackedRowBytes(128, 2), 32);
  EXPECT_EQ(getPackedRowBytes(5, 2), 2);
  EXPECT_EQ(getPackedRowBytes(3, 3), 2);
  EXPECT_EQ(getPackedRowBytes(8, 3), 3);
  EXPECT_EQ(getPackedRowBytes(7, 4), 4);
  EXPECT_EQ(getPackedRowBytes(7, 8), 7);
}

// Bytes written down by hand from the format description.
TEST(Packing, HandPacked2Bit) {
  // Fields 01, 10, 00, 11 from the least significant bit up: 0b11001001.
  std::vector<int8_t> Q = {1, -2, 0, -1};
  std::vector<uint8_t> Out(1);
  ASSERT_FALSE(llvm::errorToBool(packRowMajor(Q, 1, 4, 2, Out)));
  EXPECT_EQ(Out[0], 0xC9);
}

TEST(Packing, HandPacked3BitStraddlesBytes) {
  // Fields 011, 100, 100 at bits 0, 3, 6: the third field's top bit is bit 0
  // of the second byte. Byte 0 = 0b00100011, byte 1 = 0b00000001.
  std::vector<int8_t> Q = {3, -4, -4};
  std::vector<uint8_t> Out(2);
  ASSERT_FALSE(llvm::errorToBool(packRowMajor(Q, 1, 3, 3, Out)));
  EXPECT_EQ(Out[0], 0x23);
  EXPECT_EQ(Out[1], 0x01);
  std::vector<int8_t> Back(3);
  ASSERT_FALSE(llvm::errorToBool(unpackRowMajor(Out, 1, 3, 3, Back)));
  EXPECT_EQ(Back, Q);
}

TEST(Packing, HandPacked4BitNibbles) {
  // Low nibble first: 7 -> 0x7, -8 -> 0x8; then -1 -> 0xF alone with a zero
  // padding nibble.
  std::vector<int8_t> Q = {7, -8, -1};
  std::vector<uint8_t> Out(2);
  ASSERT_FALSE(llvm::errorToBool(packRowMajor(Q, 1, 3, 4, Out)));
  EXPECT_EQ(Out[0], 0x87);
  EXPECT_EQ(Out[1], 0x0F);
}

class PackingRoundTrip
    : public ::testing::TestWithParam<std::tuple<unsigned, int64_t, int64_t>> {
};

TEST_P(PackingRoundTrip, MatchesReferenceAndInverts) {
  auto [Bits, Rows, Cols] = GetParam();
  std::vector<int8_t> Q =
      randomInts(Rows * Cols, Bits, unsigned(Bits * 1000 + Rows * 37 + Cols));
  // Make sure both extremes occur (sign handling).
  Q.front() = int8_t(minSignedValue(Bits));
  Q.back() = int8_t(maxSignedValue(Bits));
  std::vector<uint8_t> Packed(Rows * getPackedRowBytes(Cols, Bits));
  ASSERT_FALSE(llvm::errorToBool(packRowMajor(Q, Rows, Cols, Bits, Packed)));
  EXPECT_EQ(Packed, referencePack(Q, Rows, Cols, Bits));
  std::vector<int8_t> Back(Q.size());
  ASSERT_FALSE(
      llvm::errorToBool(unpackRowMajor(Packed, Rows, Cols, Bits, Back)));
  EXPECT_EQ(Back, Q);
}

INSTANTIATE_TEST_SUITE_P(
    OddAndEvenSizes, PackingRoundTrip,
    ::testing::Combine(::testing::Values(2u, 3u, 4u, 8u),
                       ::testing::Values(int64_t(1), int64_t(3)),
                       ::testing::Values(int64_t(1), int64_t(3), int64_t(5),
                                         int64_t(7), int64_t(8), int64_t(13),
                                         int64_t(64), int64_t(129))));

TEST(Packing, RejectsOutOfRangeValue) {
  std::vector<int8_t> Q = {0, 2, 0, 0}; // 2 does not fit in 2 signed bits.
  std::vector<uint8_t> Out(1);
  llvm::Error E = packRowMajor(Q, 1, 4, 2, Out);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "value 2 at [0, 1] does not fit in 2 signed bits [-2, 1]");
}

TEST(Packing, RejectsUnsupportedBits) {
  std::vector<int8_t> Q(4);
  std::vector<uint8_t> Out(3);
  llvm::Error E = packRowMajor(Q, 1, 4, 5, Out);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "unsupported bit width 5; expected 2, 3, 4 or 8");
}

TEST(Packing, RejectsSizeMismatch) {
  std::vector<int8_t> Q(8);
  std::vector<uint8_t> Out(1); // [2, 4] at 2 bits needs 2 bytes.
  llvm::Error E = packRowMajor(Q, 2, 4, 2, Out);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "packed data has 1 bytes; [2, 4] at 2 bits needs 2");
  std::vector<int8_t> Short(7);
  std::vector<uint8_t> Packed(2);
  E = unpackRowMajor(Packed, 2, 4, 2, Short);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "integer part has 7 elements; [2, 4] needs 8");
}

TEST(Packing, RejectsNonZeroPadding) {
  // Three 2-bit fields use bits 0..5; bit 7 set is padding garbage.
  std::vector<uint8_t> Packed = {0x80};
  std::vector<int8_t> Out(3);
  llvm::Error E = unpackRowMajor(Packed, 1, 3, 2, Out);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "row 0 has non-zero padding bits; the data was not packed as "
            "2-bit row_major");
}

} // namespace
