//===- GPULayoutTest.cpp - the gpu_chunked GPU layout ---------------------===//

#include "dq/Support/GPULayout.h"
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

/// Reads element (Row, Col) the way the GPU kernels do, written from the
/// layout description rather than from the packer: a row is its groups in
/// order, a group is ceil(Group / C) chunks of four little-endian 32-bit
/// words (three at 3 bits), column e of a chunk is field e % F of word e / F
/// (F = 32 / Bits fields per word); at 3 bits the low two bits are field
/// e % 16 of word e / 16 and bit 2 is bit e of word 2.
unsigned kernelView(const std::vector<uint8_t> &Packed, unsigned Bits,
                    int64_t Cols, int64_t Group, int64_t Row, int64_t Col) {
  int64_t C = Bits == 2 ? 64 : Bits == 8 ? 16 : 32;
  int64_t Words = Bits == 3 ? 3 : 4;
  int64_t ChunksPerGroup = (Group + C - 1) / C;
  int64_t RowBytes = Cols / Group * ChunksPerGroup * Words * 4;
  int64_t Chunk = Col / Group * ChunksPerGroup + Col % Group / C;
  int64_t E = Col % Group % C;
  auto word = [&](int64_t W) {
    uint32_t V;
    std::memcpy(&V, Packed.data() + Row * RowBytes + (Chunk * Words + W) * 4,
                4);
    return V;
  };
  if (Bits != 3) {
    int64_t F = 32 / Bits;
    return (word(E / F) >> (Bits * (E % F))) & ((1u << Bits) - 1);
  }
  return ((word(E / 16) >> (2 * (E % 16))) & 3u) | ((word(2) >> E) & 1u) << 2;
}

struct Shape {
  int64_t Rows, Cols, Group;
};

class GPULayoutTest : public ::testing::TestWithParam<unsigned> {};

TEST_P(GPULayoutTest, KernelViewAndRoundTrip) {
  unsigned Bits = GetParam();
  // Groups of whole chunks and not, per-channel groups of odd width, odd
  // row and column counts, groups shorter than a chunk.
  for (Shape S : {Shape{4, 128, 64}, Shape{3, 256, 128}, Shape{5, 96, 48},
                  Shape{7, 77, 77}, Shape{1, 12, 4}, Shape{2, 200, 40},
                  Shape{9, 192, 192}}) {
    GPUChunkedGeometry Geo(S.Rows, S.Cols, Bits, S.Group);
    std::vector<int8_t> Q = randomInts(S.Rows * S.Cols, Bits, 11 + S.Cols);
    std::vector<uint8_t> Packed(S.Rows * Geo.rowBytes());
    ASSERT_FALSE(bool(packGPUChunked(Q, Geo, Packed)));
    for (int64_t R = 0; R < S.Rows; ++R)
      for (int64_t C = 0; C < S.Cols; ++C)
        ASSERT_EQ(kernelView(Packed, Bits, S.Cols, S.Group, R, C),
                  unsigned(Q[R * S.Cols + C] + (1 << (Bits - 1))))
            << "bits " << Bits << " [" << R << ", " << C << "] of [" << S.Rows
            << ", " << S.Cols << "] g" << S.Group;
    std::vector<int8_t> Back(Q.size());
    ASSERT_FALSE(bool(unpackGPUChunked(Packed, Geo, Back)));
    EXPECT_EQ(Back, Q);
  }
}

TEST_P(GPULayoutTest, PaddingIsZero) {
  unsigned Bits = GetParam();
  // 5-column groups: most of each chunk is padding. With all fields at
  // their largest value, exactly the real elements' bits are set.
  GPUChunkedGeometry Geo(3, 10, Bits, 5);
  std::vector<int8_t> Q(30, int8_t(maxSignedValue(Bits)));
  std::vector<uint8_t> Packed(3 * Geo.rowBytes());
  ASSERT_EQ(Geo.rowBytes(), 2 * Geo.chunkBytes());
  ASSERT_FALSE(bool(packGPUChunked(Q, Geo, Packed)));
  size_t SetBits = 0;
  for (uint8_t B : Packed)
    SetBits += __builtin_popcount(B);
  EXPECT_EQ(SetBits, 30u * Bits);
}

INSTANTIATE_TEST_SUITE_P(Bits, GPULayoutTest,
                         ::testing::Values(2u, 3u, 4u, 8u));

TEST(GPULayout, Geometry) {
  // 4096 columns, groups of 64: 2 bits -> one 16-byte chunk per group.
  GPUChunkedGeometry W2(11008, 4096, 2, 64);
  EXPECT_EQ(W2.chunkCols(), 64);
  EXPECT_EQ(W2.rowBytes(), 64 * 16);
  EXPECT_EQ(W2.paddedCols(), 4096);
  // 3 bits: 32-column chunks of 12 bytes, 3 bits per weight.
  GPUChunkedGeometry W3(8, 4096, 3, 128);
  EXPECT_EQ(W3.rowBytes(), 4096 * 3 / 8);
  // Per-channel, 100 columns at 4 bits: 4 chunks of 32, 28 columns padding.
  GPUChunkedGeometry W4(8, 100, 4, 100);
  EXPECT_EQ(W4.paddedCols(), 128);
  EXPECT_EQ(W4.rowBytes(), 64);
}

TEST(GPULayout, HandExample4Bit) {
  // One row of 32 columns: Q = k - 8 for k < 16, then 7. Word 0 holds
  // columns 0-7 from the low nibble up: u = 0..7 -> 0x76543210.
  GPUChunkedGeometry Geo(1, 32, 4, 32);
  std::vector<int8_t> Q(32, 7);
  for (int K = 0; K < 16; ++K)
    Q[K] = int8_t(K - 8);
  std::vector<uint8_t> Packed(Geo.rowBytes());
  ASSERT_EQ(Packed.size(), 16u);
  ASSERT_FALSE(bool(packGPUChunked(Q, Geo, Packed)));
  const uint8_t Want[16] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE,
                            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  for (int I = 0; I < 16; ++I)
    EXPECT_EQ(Packed[I], Want[I]) << "byte " << I;
}

TEST(GPULayout, HandExample3Bit) {
  // Column 0 is -4 (u = 0), column 17 is 3 (u = 7), the rest 0 (u = 4:
  // low bits 00, bit 2 set).
  GPUChunkedGeometry Geo(1, 32, 3, 32);
  std::vector<int8_t> Q(32, 0);
  Q[0] = -4;
  Q[17] = 3;
  std::vector<uint8_t> Packed(Geo.rowBytes());
  ASSERT_EQ(Packed.size(), 12u);
  ASSERT_FALSE(bool(packGPUChunked(Q, Geo, Packed)));
  uint32_t W[3];
  std::memcpy(W, Packed.data(), 12);
  EXPECT_EQ(W[0], 0u);
  EXPECT_EQ(W[1], 3u << 2);
  EXPECT_EQ(W[2], ~1u);
}

TEST(GPULayout, Errors) {
  GPUChunkedGeometry Geo(4, 8, 2, 4);
  std::vector<uint8_t> Packed(4 * Geo.rowBytes());
  std::vector<int8_t> Q(32, 0);
  Q[5] = 2; // outside [-2, 1]
  llvm::Error E = packGPUChunked(Q, Geo, Packed);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "value 2 at [0, 5] does not fit in 2 signed bits [-2, 1]");

  std::vector<int8_t> Short(31, 0);
  E = packGPUChunked(Short, Geo, Packed);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "integer part has 31 elements; [4, 8] needs 32");

  std::vector<uint8_t> Small(10);
  E = packGPUChunked(std::vector<int8_t>(32, 0), Geo, Small);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "packed output has 10 bytes; the gpu_chunked layout needs 128");

  E = packGPUChunked(Q, GPUChunkedGeometry(4, 8, 5, 4), Packed);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "unsupported bit width 5; expected 2, 3, 4 or 8");

  E = packGPUChunked(Q, GPUChunkedGeometry(4, 8, 2, 3), Packed);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "invalid weight shape [4, 8] with group 3");

  std::vector<int8_t> Out(32);
  E = unpackGPUChunked(Small, Geo, Out);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "packed data has 10 bytes; the gpu_chunked layout needs 128");
}

} // namespace
