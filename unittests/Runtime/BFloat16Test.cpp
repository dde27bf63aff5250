//===- BFloat16Test.cpp - the bf16 truncations libdqrt provides -----------===//
//
// __truncsfbf2/__truncdfbf2 against a brute-force reference: the two bf16
// neighbours of the value, the nearer one, ties to the even one.
//
//===----------------------------------------------------------------------===//

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

extern "C" _Float16 __truncsfbf2(float);
extern "C" _Float16 __truncdfbf2(double);

namespace {

uint16_t bitsOf(_Float16 h) {
  uint16_t bits;
  std::memcpy(&bits, &h, sizeof(bits));
  return bits;
}

double bf16Value(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float f;
  std::memcpy(&f, &wide, sizeof(f));
  return f;
}

/// The nearest bf16 found by comparing the distances to both neighbours,
/// ties to the even one. The neighbours bracket |v| within a factor of two,
/// so both distances are exact (Sterbenz) and so is the comparison.
uint16_t referenceBF16(double v) {
  if (std::isnan(v))
    return 0x7FC0;
  uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  double a = std::fabs(v);
  if (std::isinf(a))
    return sign | 0x7F80;
  // lo: the largest finite bf16 magnitude not above a (binary search; the
  // magnitudes increase with their bit patterns).
  uint16_t lo = 0;
  for (uint16_t step = 0x4000; step; step >>= 1)
    if (lo + step <= 0x7F7F && bf16Value(lo + step) <= a)
      lo += step;
  if (bf16Value(lo) == a)
    return sign | lo;
  // Above the largest finite value the next one would be 2^128 (inf).
  double next = lo == 0x7F7F ? std::ldexp(1.0, 128) : bf16Value(lo + 1);
  double below = a - bf16Value(lo), above = next - a;
  bool down = below < above || (below == above && !(lo & 1));
  return sign | (down ? lo : uint16_t(lo + 1));
}

std::vector<double> samples() {
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0,
                                -1.0,
                                1.0 + std::ldexp(1.0, -8), // tie, even below
                                1.0 + 3 * std::ldexp(1.0, -8), // tie, odd
                                1.0 + std::ldexp(1.0, -8) +
                                    std::ldexp(1.0, -30),
                                3.3895313892515355e38, // largest bf16
                                3.3961e38,             // rounds to inf
                                1e-40,                 // subnormal
                                std::numeric_limits<float>::denorm_min(),
                                std::numeric_limits<float>::max(),
                                INFINITY,
                                -INFINITY};
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<uint32_t> bits32;
  for (int i = 0; i < 20000; ++i) {
    uint32_t b = bits32(rng);
    float f;
    std::memcpy(&f, &b, sizeof(f));
    if (!std::isnan(f))
      values.push_back(f);
  }
  std::normal_distribution<double> normal;
  for (int i = 0; i < 20000; ++i)
    values.push_back(normal(rng) * std::ldexp(1.0, int(i % 200) - 100));
  return values;
}

TEST(BFloat16, TruncFloatRoundsToNearestEven) {
  for (double v : samples()) {
    if (std::fabs(v) > std::numeric_limits<float>::max())
      continue; // not a float
    float f = static_cast<float>(v);
    EXPECT_EQ(bitsOf(__truncsfbf2(f)), referenceBF16(f)) << f;
  }
}

TEST(BFloat16, TruncDoubleRoundsOnceToNearestEven) {
  for (double v : samples())
    EXPECT_EQ(bitsOf(__truncdfbf2(v)), referenceBF16(v)) << v;
  // A double just above a bf16 tie must round up, which rounding through
  // float first (to the tie) would get wrong.
  double justAbove = 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -40);
  EXPECT_EQ(bitsOf(__truncdfbf2(justAbove)), 0x3F81);
  EXPECT_EQ(bitsOf(__truncsfbf2(static_cast<float>(justAbove))), 0x3F80);
}

TEST(BFloat16, NaNsStayNaN) {
  for (float nan : {std::numeric_limits<float>::quiet_NaN(),
                    -std::numeric_limits<float>::quiet_NaN(),
                    std::numeric_limits<float>::signaling_NaN()}) {
    uint16_t bits = bitsOf(__truncsfbf2(nan));
    EXPECT_EQ(bits & 0x7F80, 0x7F80);
    EXPECT_NE(bits & 0x0040, 0); // quiet
    EXPECT_TRUE(std::isnan(bf16Value(bits)));
    EXPECT_TRUE(std::isnan(bf16Value(bitsOf(__truncdfbf2(double(nan))))));
  }
}

} // namespace
