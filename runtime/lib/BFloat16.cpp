//===- BFloat16.cpp - the bf16 conversions lowered code may call ----------===//
//
// LLVM lowers `fptrunc` to bfloat into calls of __truncsfbf2/__truncdfbf2
// (compiler-rt). libgcc before GCC 13 has neither, so the runtime provides
// them, to JIT'd code and to shared objects from dq-compile alike. Both round
// to nearest even and keep NaNs quiet.
//
//===----------------------------------------------------------------------===//

#include <cmath>
#include <cstdint>
#include <cstring>

namespace {

/// A bf16 travels like a half: 16 bits in the low end of a floating-point
/// register, on x86-64 and AArch64 alike. _Float16 makes the compiler use
/// that convention for the bits.
using BF16Return = _Float16;

BF16Return fromBits(uint16_t bits) {
  BF16Return value;
  std::memcpy(&value, &bits, sizeof(bits));
  return value;
}

uint16_t floatToBF16Bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  if (std::isnan(value))
    return static_cast<uint16_t>((bits >> 16) | 0x40); // stays a quiet NaN
  // Adding 0x7FFF plus the lowest kept bit rounds to nearest, ties to even;
  // a carry into the exponent is the correct rounding up (to inf at most).
  bits += 0x7FFF + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

/// `value` rounded to float toward zero, with the lowest bit set when that
/// lost anything ("round to odd"). Rounding this float to bf16 gives the
/// same as rounding `value` directly: float keeps more than two bits beyond
/// bf16's in every exponent range, so no double rounding can occur.
float roundToOddFloat(double value) {
  float rounded = static_cast<float>(value);
  if (std::isnan(value) || static_cast<double>(rounded) == value)
    return rounded;
  if (std::fabs(static_cast<double>(rounded)) > std::fabs(value))
    rounded = std::nextafter(rounded, 0.0f);
  uint32_t bits;
  std::memcpy(&bits, &rounded, sizeof(bits));
  bits |= 1;
  std::memcpy(&rounded, &bits, sizeof(bits));
  return rounded;
}

} // namespace

extern "C" __attribute__((visibility("default"))) BF16Return
__truncsfbf2(float value) {
  return fromBits(floatToBF16Bits(value));
}

extern "C" __attribute__((visibility("default"))) BF16Return
__truncdfbf2(double value) {
  return fromBits(floatToBF16Bits(roundToOddFloat(value)));
}
