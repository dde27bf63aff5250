//===- Rtn.h - Round-to-nearest's own options -------------------*- C++ -*-===//

#ifndef DQ_QUANT_METHODS_RTN_H
#define DQ_QUANT_METHODS_RTN_H

namespace dq {

/// QuantOptions::MethodOptions of "rtn".
struct RtnOptions {
  /// Start from the clip-searched (s, z) instead of min-max
  /// (clip-baselines=true).
  bool ClipInit = false;
};

} // namespace dq

#endif // DQ_QUANT_METHODS_RTN_H
