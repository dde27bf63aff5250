//===- Method.cpp - The registry of quantization methods -----------------===//

#include "dq/Quant/Method.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cassert>
#include <cmath>
#include <deque>

using namespace llvm;

namespace dq {

#define DQ_METHOD(Name) void register##Name##Method();
#include "BuiltinMethods.def"

static std::deque<QuantMethodInfo> &getStorage() {
  // A deque: lookups hand out pointers that later registrations keep valid.
  static std::deque<QuantMethodInfo> Methods;
  return Methods;
}

/// The methods, with the built-in ones added the first time they are
/// needed: an explicit list, because the linker would drop static
/// registrars from a static library.
static const std::deque<QuantMethodInfo> &getRegistry() {
  static bool Builtins = [] {
#define DQ_METHOD(Name) register##Name##Method();
#include "BuiltinMethods.def"
    return true;
  }();
  (void)Builtins;
  return getStorage();
}

void registerQuantMethod(QuantMethodInfo Info) {
  // getStorage(), not getRegistry(): the built-in list calls this while
  // getRegistry() initialises.
  std::deque<QuantMethodInfo> &Methods = getStorage();
  assert(llvm::none_of(
             Methods,
             [&](const QuantMethodInfo &M) { return M.Name == Info.Name; }) &&
         "method registered twice");
  Methods.push_back(std::move(Info));
}

const QuantMethodInfo *lookupQuantMethod(StringRef Name) {
  for (const QuantMethodInfo &M : getRegistry())
    if (M.Name == Name)
      return &M;
  return nullptr;
}

std::vector<const QuantMethodInfo *> getQuantMethods() {
  std::vector<const QuantMethodInfo *> Out;
  for (const QuantMethodInfo &M : getRegistry())
    Out.push_back(&M);
  llvm::sort(Out, [](const QuantMethodInfo *A, const QuantMethodInfo *B) {
    return A->Name < B->Name;
  });
  return Out;
}

std::string getQuantMethodList() {
  std::string List;
  for (const QuantMethodInfo *M : getQuantMethods())
    List += (List.empty() ? "" : ", ") + M->Name;
  return List;
}

Error makeUnknownMethodError(StringRef Name) {
  return createStringError(
      formatv("unknown method '{0}' (registered: {1}; see dq-quant "
              "--list-methods)",
              Name, getQuantMethodList())
          .str());
}

static Error invalidValue(StringRef Key, StringRef Value, StringRef Expected) {
  return createStringError(
      formatv("invalid value '{0}' for {1}: expected {2}", Value, Key, Expected)
          .str());
}

Error parseOptionValue(StringRef Key, StringRef Value, unsigned &Out) {
  if (Value.getAsInteger(10, Out))
    return invalidValue(Key, Value, "an unsigned integer");
  return Error::success();
}

Error parseOptionValue(StringRef Key, StringRef Value, int64_t &Out) {
  if (Value.getAsInteger(10, Out))
    return invalidValue(Key, Value, "an integer");
  return Error::success();
}

Error parseOptionValue(StringRef Key, StringRef Value, double &Out) {
  if (Value.getAsDouble(Out) || !std::isfinite(Out))
    return invalidValue(Key, Value, "a finite number");
  return Error::success();
}

Error parseOptionValue(StringRef Key, StringRef Value, bool &Out) {
  if (Value == "true" || Value == "1")
    Out = true;
  else if (Value == "false" || Value == "0")
    Out = false;
  else
    return invalidValue(Key, Value, "true or false");
  return Error::success();
}

} // namespace dq
