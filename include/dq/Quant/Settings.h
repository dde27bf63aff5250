//===- Settings.h - Quantization options from key=value text ----*- C++ -*-===//
//
// The one parser of quantization options, shared by `--dq-quantize` and
// dq-quant so that both take the same keys with the same messages. Common
// keys set QuantOptions; any other key must be one of a registered method's
// own options (Method.h) and is parsed by every method that has it, so that
// per-layer method overrides find their options too.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_QUANT_SETTINGS_H
#define DQ_QUANT_SETTINGS_H

#include "dq/Quant/Quantize.h"

#include "llvm/Support/raw_ostream.h"

#include <map>

namespace dq {

struct QuantSettings {
  /// The common knobs; Method is the default method.
  QuantOptions Common;
  /// Each method's own options set so far, by method name.
  std::map<std::string, std::any, std::less<>> MethodOptions;

  /// Common with Method = Name and Name's own options.
  QuantOptions getOptions(llvm::StringRef Name) const;
};

/// Applies one option. Errors: an unknown key, an unknown method ("...
/// registered: ..."), a value the key does not accept.
llvm::Error applyQuantSetting(QuantSettings &S, llvm::StringRef Key,
                              llvm::StringRef Value);
/// The same for "key=value" text.
llvm::Error applyQuantSetting(QuantSettings &S, llvm::StringRef KeyValue);

/// The common keys and every registered method with its description and
/// own options (dq-quant --list-methods).
void printQuantMethods(llvm::raw_ostream &OS);

} // namespace dq

#endif // DQ_QUANT_SETTINGS_H
