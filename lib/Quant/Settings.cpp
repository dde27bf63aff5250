//===- Settings.cpp - Quantization options from key=value text -----------===//

#include "dq/Quant/Settings.h"
#include "dq/Quant/Method.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;

namespace dq {

namespace {
struct CommonKey {
  const char *Key, *Help;
};
} // namespace

static const CommonKey kCommonKeys[] = {
    {"method", "a registered method (below)"},
    {"bits", "bits per weight: 2, 3, 4 or 8"},
    {"group-size", "columns per scale/offset pair, -1 for per-channel"},
    {"scale-type", "storage type of scale and offset: f16, bf16 or f32"},
    {"damp", "damping: H + damp * mean(diag H) * I"},
    {"threads", "worker threads per layer"},
    {"clip-grid", "clip search: grid steps (default 200)"},
    {"clip-max-shrink", "clip search: largest shrink, in (0, 1] (default "
                        "0.8)"},
    {"clip-exact-candidates", "clip search: candidates per row scored "
                              "exactly, 0 for all (default 4)"},
    {"clip-rank-stride", "clip search: rank every n-th candidate, then the "
                         "best ones' neighbours; 1 ranks all (default 4)"},
    {"block-size", "GPTQ rounding: columns per lazy batch (default 128)"},
};

QuantOptions QuantSettings::getOptions(StringRef Name) const {
  QuantOptions Opts = Common;
  Opts.Method = Name.str();
  auto It = MethodOptions.find(Name);
  Opts.MethodOptions = It == MethodOptions.end() ? std::any() : It->second;
  return Opts;
}

static Error setCommon(QuantOptions &O, StringRef Key, StringRef Value) {
  if (Key == "method") {
    if (!lookupQuantMethod(Value))
      return makeUnknownMethodError(Value);
    O.Method = Value.str();
    return Error::success();
  }
  if (Key == "bits") {
    if (Error E = parseOptionValue(Key, Value, O.Bits))
      return E;
    if (O.Bits != 2 && O.Bits != 3 && O.Bits != 4 && O.Bits != 8)
      return createStringError(
          formatv("unsupported bit width {0}; expected 2, 3, 4 or 8", O.Bits)
              .str());
    return Error::success();
  }
  if (Key == "group-size")
    return parseOptionValue(Key, Value, O.GroupSize);
  if (Key == "scale-type") {
    std::optional<ScaleType> T = parseScaleType(Value);
    if (!T)
      return createStringError(
          formatv("unknown scale-type '{0}' (expected f16, bf16, f32)", Value)
              .str());
    O.Scale = *T;
    return Error::success();
  }
  if (Key == "damp")
    return parseOptionValue(Key, Value, O.Damp);
  if (Key == "threads")
    return parseOptionValue(Key, Value, O.Threads);
  if (Key == "clip-grid")
    return parseOptionValue(Key, Value, O.ClipGrid);
  if (Key == "clip-max-shrink")
    return parseOptionValue(Key, Value, O.ClipMaxShrink);
  if (Key == "clip-exact-candidates")
    return parseOptionValue(Key, Value, O.ClipExactCandidates);
  if (Key == "clip-rank-stride")
    return parseOptionValue(Key, Value, O.ClipRankStride);
  assert(Key == "block-size" && "not a common key");
  return parseOptionValue(Key, Value, O.BlockSize);
}

Error applyQuantSetting(QuantSettings &S, StringRef Key, StringRef Value) {
  if (any_of(kCommonKeys, [&](const CommonKey &C) { return Key == C.Key; }))
    return setCommon(S.Common, Key, Value);
  bool Known = false;
  for (const QuantMethodInfo *M : getQuantMethods()) {
    if (none_of(M->Options,
                [&](const MethodOption &O) { return O.Key == Key; }))
      continue;
    Known = true;
    if (Error E = M->SetOption(S.MethodOptions[M->Name], Key, Value))
      return E;
  }
  if (Known)
    return Error::success();
  std::string Common;
  for (const CommonKey &C : kCommonKeys)
    Common += (Common.empty() ? "" : ", ") + std::string(C.Key);
  return createStringError(
      formatv("unknown option '{0}' (common: {1}; each method's own: dq-quant "
              "--list-methods)",
              Key, Common)
          .str());
}

Error applyQuantSetting(QuantSettings &S, StringRef KeyValue) {
  auto [Key, Value] = KeyValue.split('=');
  if (Key.size() == KeyValue.size() || Key.empty())
    return createStringError(
        formatv("option '{0}' is not key=value", KeyValue).str());
  return applyQuantSetting(S, Key, Value);
}

void printQuantMethods(raw_ostream &OS) {
  OS << "Common options:\n";
  for (const CommonKey &C : kCommonKeys)
    OS << formatv("  {0,-24} {1}\n", C.Key, C.Help);
  OS << "\nMethods and their own options:\n";
  for (const QuantMethodInfo *M : getQuantMethods()) {
    OS << formatv("  {0,-24} {1}\n", M->Name, M->Description);
    for (const MethodOption &O : M->Options)
      OS << formatv("    {0,-22} {1}\n", O.Key, O.Help);
  }
}

} // namespace dq
