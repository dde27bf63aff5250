//===- TiledLayoutTest.cpp - the n16k4 CPU layout -------------------------===//

#include "dq/Support/TiledLayout.h"
#include "dq/Support/Packing.h"

#include "gtest/gtest.h"

#include <cstring>
#include <random>
#include <vector>

using namespace dq;

namespace {

std::vector<int8_t> randomInts(size_t Count, unsigned Bits, unsigned Seed) {
  std::mt19937 Gen(Seed);
  std::uniform_int_distribution<int> Dist(minSignedValue(Bits),
                                          maxSignedValue(Bits));
  std::vector<int8_t> Q(Count);
  for (int8_t &V : Q)
    V = int8_t(Dist(Gen));
  return Q;
}

/// Reads element (Row, Col) the way the kernels do, written from the layout
/// description rather than from the packer: the chunk's 64-byte planes are
/// sixteen little-endian 32-bit words, one per row of the tile; column e of
/// the chunk is the field at bit 8*(e%4) + Bits*(e/4) of the row's word (at
/// 3 bits: low two bits at 8*(e%4) + 2*((e%16)/4) of plane e/16, bit 2 at
/// 8*(e%4) + e/4 of plane 2).
unsigned kernelView(const std::vector<uint8_t> &Packed,
                    const N16K4Geometry &Geo, int64_t Row, int64_t Col) {
  int64_t Tile = Row / 16, Lane = Row % 16;
  int64_t Group = Col / Geo.Group, InGroup = Col % Geo.Group;
  int64_t ChunkCols = Geo.Bits == 2   ? 16
                      : Geo.Bits == 3 ? 32
                      : Geo.Bits == 4 ? 8
                                      : 4;
  int64_t Padded = (Geo.Group + ChunkCols - 1) / ChunkCols * ChunkCols;
  int64_t ChunkBytes = 16 * ChunkCols * Geo.Bits / 8;
  int64_t GroupBytes = Padded / ChunkCols * ChunkBytes;
  int64_t TileBytes = Geo.Cols / Geo.Group * GroupBytes;
  int64_t Base =
      Tile * TileBytes + Group * GroupBytes + InGroup / ChunkCols * ChunkBytes;
  int64_t E = InGroup % ChunkCols;
  auto word = [&](int64_t Plane) {
    uint32_t W;
    std::memcpy(&W, Packed.data() + Base + 64 * Plane + 4 * Lane, 4);
    return W;
  };
  if (Geo.Bits != 3)
    return (word(0) >> (8 * (E % 4) + Geo.Bits * (E / 4))) &
           ((1u << Geo.Bits) - 1);
  unsigned Low = (word(E / 16) >> (8 * (E % 4) + 2 * ((E % 16) / 4))) & 3u;
  unsigned High = (word(2) >> (8 * (E % 4) + E / 4)) & 1u;
  return Low | High << 2;
}

struct Shape {
  int64_t Rows, Cols, Group;
};

class TiledLayoutTest : public ::testing::TestWithParam<unsigned> {};

TEST_P(TiledLayoutTest, KernelViewAndRoundTrip) {
  unsigned Bits = GetParam();
  // Odd row counts (partial last tile), groups that are and are not whole
  // chunks, per-channel groups of odd width.
  for (Shape S : {Shape{16, 64, 64}, Shape{20, 64, 32}, Shape{33, 96, 48},
                  Shape{7, 77, 77}, Shape{1, 12, 4}, Shape{40, 128, 128}}) {
    N16K4Geometry Geo(S.Rows, S.Cols, Bits, S.Group);
    std::vector<int8_t> Q = randomInts(S.Rows * S.Cols, Bits, 7 + S.Cols);
    std::vector<uint8_t> Packed(Geo.numTiles() * Geo.tileBytes());
    ASSERT_FALSE(bool(packN16K4(Q, Geo, Packed)));
    for (int64_t R = 0; R < S.Rows; ++R)
      for (int64_t C = 0; C < S.Cols; ++C)
        ASSERT_EQ(kernelView(Packed, Geo, R, C),
                  unsigned(Q[R * S.Cols + C] + (1 << (Bits - 1))))
            << "bits " << Bits << " [" << R << ", " << C << "] of [" << S.Rows
            << ", " << S.Cols << "] g" << S.Group;
    std::vector<int8_t> Back(Q.size());
    ASSERT_FALSE(bool(unpackN16K4(Packed, Geo, Back)));
    EXPECT_EQ(Back, Q);
  }
}

TEST_P(TiledLayoutTest, PaddingIsZero) {
  unsigned Bits = GetParam();
  // 3 rows and 5-column groups: most of the tile is padding. With all
  // fields at their largest value, exactly the real elements' bits are set.
  N16K4Geometry Geo(3, 10, Bits, 5);
  std::vector<int8_t> Q(30, int8_t(maxSignedValue(Bits)));
  std::vector<uint8_t> Packed(Geo.numTiles() * Geo.tileBytes());
  ASSERT_FALSE(bool(packN16K4(Q, Geo, Packed)));
  size_t SetBits = 0;
  for (uint8_t B : Packed)
    SetBits += __builtin_popcount(B);
  // u = 2^Bits - 1 has Bits ones.
  EXPECT_EQ(SetBits, 30u * Bits);
}

INSTANTIATE_TEST_SUITE_P(Bits, TiledLayoutTest,
                         ::testing::Values(2u, 3u, 4u, 8u));

TEST(TiledLayout, HandExample2Bit) {
  // One row, 16 columns, one group: the first word of the tile holds
  // columns 4j + t in field j of byte t. Q = k - 2 for k < 4 (u = 0..3),
  // zero elsewhere (u = 2): byte 0 fields (cols 0, 4, 8, 12) = 0, 2, 2, 2.
  N16K4Geometry Geo(1, 16, 2, 16);
  std::vector<int8_t> Q(16, 0);
  for (int K = 0; K < 4; ++K)
    Q[K] = int8_t(K - 2);
  std::vector<uint8_t> Packed(Geo.numTiles() * Geo.tileBytes());
  ASSERT_EQ(Packed.size(), 64u);
  ASSERT_FALSE(bool(packN16K4(Q, Geo, Packed)));
  // byte t = u[t] | 2 << 2 | 2 << 4 | 2 << 6 = u[t] + 0xA8.
  EXPECT_EQ(Packed[0], 0xA8);
  EXPECT_EQ(Packed[1], 0xA9);
  EXPECT_EQ(Packed[2], 0xAA);
  EXPECT_EQ(Packed[3], 0xAB);
  for (size_t I = 4; I < Packed.size(); ++I)
    EXPECT_EQ(Packed[I], 0) << "byte " << I << " belongs to rows past N";
}

TEST(TiledLayout, GroupParams) {
  // 18 rows, 3 groups, 2-byte values: [18, 3] -> [2, 3, 16], zero-filled.
  N16K4Geometry Geo(18, 12, 4, 4);
  std::vector<uint8_t> In(18 * 3 * 2);
  for (size_t I = 0; I < In.size(); ++I)
    In[I] = uint8_t(I + 1);
  std::vector<uint8_t> Out(2 * 3 * 16 * 2);
  ASSERT_FALSE(bool(tileGroupParams(In, 2, Geo, Out)));
  for (int64_t T = 0; T < 2; ++T)
    for (int64_t G = 0; G < 3; ++G)
      for (int64_t L = 0; L < 16; ++L)
        for (int64_t B = 0; B < 2; ++B) {
          int64_t R = T * 16 + L;
          uint8_t Want = R < 18 ? In[(R * 3 + G) * 2 + B] : 0;
          EXPECT_EQ(Out[((T * 3 + G) * 16 + L) * 2 + B], Want)
              << "row " << R << " group " << G;
        }
}

TEST(TiledLayout, Errors) {
  N16K4Geometry Geo(4, 8, 2, 4);
  std::vector<uint8_t> Packed(Geo.numTiles() * Geo.tileBytes());
  std::vector<int8_t> Q(32, 0);
  Q[5] = 2; // outside [-2, 1]
  llvm::Error E = packN16K4(Q, Geo, Packed);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "value 2 at [0, 5] does not fit in 2 signed bits [-2, 1]");

  std::vector<int8_t> Short(31, 0);
  E = packN16K4(Short, Geo, Packed);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "integer part has 31 elements; [4, 8] needs 32");

  std::vector<uint8_t> Small(10);
  E = packN16K4(std::vector<int8_t>(32, 0), Geo, Small);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "packed output has 10 bytes; the n16k4 layout needs 128");

  E = packN16K4(Q, N16K4Geometry(4, 8, 5, 4), Packed);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "unsupported bit width 5; expected 2, 3, 4 or 8");

  E = packN16K4(Q, N16K4Geometry(4, 8, 2, 3), Packed);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "invalid weight shape [4, 8] with group 3");

  std::vector<int8_t> Out(32);
  E = unpackN16K4(Small, Geo, Out);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "packed data has 10 bytes; the n16k4 layout needs 128");

  std::vector<uint8_t> Params(4 * 2 * 2), TooSmall(3);
  E = tileGroupParams(Params, 2, Geo, TooSmall);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "tiled output has 3 bytes; the n16k4 layout needs 64");
}

} // namespace
