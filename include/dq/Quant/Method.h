//===- Method.h - The registry of quantization methods ----------*- C++ -*-===//
//
// quantizeLayer() (Quantize.h) looks the method up here by name. A method
// is a name, a one-line description, its own options (keys with help text,
// parsed into its options struct) and a solver that works on a LayerRun
// (LayerRun.h). The built-in methods (rtn, gptq, decoupleq) are registered
// on first use by the list in lib/Quant/BuiltinMethods.def; others can be
// registered by the program before it quantizes anything. The steps
// "How to add a quantization method" are in docs/quantization.md.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_QUANT_METHOD_H
#define DQ_QUANT_METHOD_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <any>
#include <functional>
#include <string>
#include <vector>

namespace dq {

class LayerRun;

/// One of a method's own options, as written in option text (key=value).
struct MethodOption {
  std::string Key;
  std::string Help;
};

struct QuantMethodInfo {
  std::string Name;
  std::string Description;
  std::vector<MethodOption> Options;
  /// Sets option Key (one of Options) from its text in Config, which holds
  /// the method's options struct (or nothing: start from the defaults).
  std::function<llvm::Error(std::any &Config, llvm::StringRef Key,
                            llvm::StringRef Value)>
      SetOption;
  /// Checks the options in Config (empty: the defaults).
  std::function<llvm::Error(const std::any &Config)> Verify;
  /// Fills Run's best state for its (validated) layer; returns how many
  /// outer iterations ran (1 for single-pass methods).
  std::function<llvm::Expected<unsigned>(LayerRun &Run)> Solve;
  /// Whether Solve always takes the GPTQ factor (LayerRun::takeGptqFactor)
  /// and fails with its error: its Cholesky of H + damp·mean(diag H)·I then
  /// proves H positive semi-definite, and validation skips its own (a K³/3
  /// factorisation, seconds at K = 11008).
  bool FactorsHessian = false;
  /// Whether the method's integers, scales and offsets depend on the
  /// calibration statistics. A method that does not (round to nearest) can
  /// quantize a layer that has none: H is then the identity, so its
  /// reported error is the plain squared weight error.
  bool NeedsCalibration = true;
};

/// Adds a method; its name must be new. Register before quantizing: the
/// registry is read without a lock.
void registerQuantMethod(QuantMethodInfo Info);

/// The method called Name, or null.
const QuantMethodInfo *lookupQuantMethod(llvm::StringRef Name);

/// Every registered method, sorted by name.
std::vector<const QuantMethodInfo *> getQuantMethods();

/// "decoupleq, gptq, rtn": the registered names, sorted.
std::string getQuantMethodList();

/// "unknown method 'Name' (registered: ...; see dq-quant --list-methods)".
llvm::Error makeUnknownMethodError(llvm::StringRef Name);

/// The method's options struct T held in Config, or T's defaults when
/// Config is empty. Verify has already checked the type.
template <typename T> T getMethodOptions(const std::any &Config) {
  if (const T *Opts = std::any_cast<T>(&Config))
    return *Opts;
  return T();
}

/// Verify's type check: Config is empty or holds a T.
template <typename T>
llvm::Error checkMethodOptionsType(const std::any &Config,
                                   llvm::StringRef Method) {
  if (!Config.has_value() || std::any_cast<T>(&Config))
    return llvm::Error::success();
  return llvm::createStringError("the options given for method '" + Method +
                                 "' are another method's");
}

/// The options struct T in Config, made with T's defaults when empty: what
/// SetOption writes into.
template <typename T> T &getOrMakeMethodOptions(std::any &Config) {
  if (!std::any_cast<T>(&Config))
    Config = T();
  return *std::any_cast<T>(&Config);
}

/// Option value parsers with the messages every option shares:
/// "invalid value 'V' for KEY: expected ...".
llvm::Error parseOptionValue(llvm::StringRef Key, llvm::StringRef Value,
                             unsigned &Out);
llvm::Error parseOptionValue(llvm::StringRef Key, llvm::StringRef Value,
                             int64_t &Out);
llvm::Error parseOptionValue(llvm::StringRef Key, llvm::StringRef Value,
                             double &Out);
llvm::Error parseOptionValue(llvm::StringRef Key, llvm::StringRef Value,
                             bool &Out);

} // namespace dq

#endif // DQ_QUANT_METHOD_H
