//===- Storage.cpp - Names of options, rounding to the storage type ------===//

#include "dq/Quant/Steps.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

using namespace llvm;

namespace dq {

StringRef getScaleTypeName(ScaleType T) {
  switch (T) {
  case ScaleType::F16:
    return "f16";
  case ScaleType::BF16:
    return "bf16";
  case ScaleType::F32:
    return "f32";
  }
  return "?";
}

std::optional<ScaleType> parseScaleType(StringRef Name) {
  for (ScaleType T : {ScaleType::F16, ScaleType::BF16, ScaleType::F32})
    if (Name == getScaleTypeName(T))
      return T;
  return std::nullopt;
}

/// Rounds V to a binary format with Precision significand bits (implicit
/// bit included), smallest normal exponent MinExp and largest finite value
/// Max, ties to even. With E the exponent of V (at least MinExp), V / 2^(E -
/// Precision + 1) is exact and below 2^Precision in magnitude, and adding
/// and subtracting 1.5·2^52 rounds it to an integer, ties to even (the
/// default rounding mode); scaling back is exact. Bit arithmetic instead of
/// APFloat or frexp/nearbyint, because the clip search rounds millions of
/// values (the unit tests check it against APFloat).
static double roundToFormat(double V, int Precision, int MinExp, double Max) {
  if (V == 0 || !std::isfinite(V))
    return V;
  uint64_t Bits;
  std::memcpy(&Bits, &V, sizeof(Bits));
  // Subnormal doubles (exponent field 0) are far below every MinExp here.
  int Exp = int((Bits >> 52) & 0x7ff) - 1023;
  int E = std::max(Exp, MinExp) - (Precision - 1);
  auto pow2 = [](int P) {
    uint64_t B = uint64_t(P + 1023) << 52;
    double D;
    std::memcpy(&D, &B, sizeof(D));
    return D;
  };
  const double Magic = 0x1.8p52;
  double T = V * pow2(-E) + Magic;
  double R = (T - Magic) * pow2(E);
  if (std::fabs(R) > Max)
    return std::copysign(std::numeric_limits<double>::infinity(), V);
  return R;
}

float roundToScaleType(double V, ScaleType T) {
  switch (T) {
  case ScaleType::F16:
    return float(roundToFormat(V, 11, -14, 65504.0));
  case ScaleType::BF16:
    return float(roundToFormat(V, 8, -126, 0x1.fep127));
  case ScaleType::F32:
    return float(V);
  }
  return float(V);
}

} // namespace dq
