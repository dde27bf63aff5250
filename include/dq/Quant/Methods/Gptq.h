//===- Gptq.h - GPTQ's own options ------------------------------*- C++ -*-===//

#ifndef DQ_QUANT_METHODS_GPTQ_H
#define DQ_QUANT_METHODS_GPTQ_H

namespace dq {

/// QuantOptions::MethodOptions of "gptq". The lazy batch size is the shared
/// QuantOptions::BlockSize (decoupleQ's GPTQ integer step uses it too).
struct GptqOptions {
  /// Start from the clip-searched (s, z) instead of min-max
  /// (clip-baselines=true).
  bool ClipInit = false;
};

} // namespace dq

#endif // DQ_QUANT_METHODS_GPTQ_H
