//===- Storage.cpp - Names of options, rounding to the storage type ------===//

#include "dq/Quant/Steps.h"

#include <cmath>
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
/// Max, ties to even. Scaling by a power of two is exact, so one
/// nearbyint() does the rounding (the default rounding mode is to nearest
/// even); a formula instead of APFloat because the clip search rounds
/// millions of values.
static double roundToFormat(double V, int Precision, int MinExp, double Max) {
  if (V == 0 || !std::isfinite(V))
    return V;
  int Exp;
  std::frexp(V, &Exp); // |V| = m·2^Exp, m in [0.5, 1)
  int E = std::max(Exp - 1, MinExp);
  double Ulp = std::ldexp(1.0, E - (Precision - 1));
  double R = std::nearbyint(V / Ulp) * Ulp;
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
