//===- NpyFuzzer.cpp - Fuzz the .npy reader -------------------------------===//
//
// Any byte string is offered to parseNpy. An accepted array must have the
// byte size its dtype and shape promise, and, when .npy can store it, must
// survive a write/parse round trip unchanged.
//
//===----------------------------------------------------------------------===//

#include "FuzzCheck.h"

#include "dq/Support/Npy.h"

#include "llvm/Support/raw_ostream.h"

using namespace dq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Bytes(reinterpret_cast<const char *>(Data), Size);
  llvm::Expected<Tensor> T = parseNpy(Bytes, "fuzz");
  if (!T) {
    llvm::consumeError(T.takeError());
    return 0;
  }
  std::optional<uint64_t> Expected = getCheckedByteSize(T->Type, T->Shape);
  DQ_FUZZ_CHECK(Expected && *Expected == T->Data.size(),
                "data size differs from dtype x shape");
  llvm::Error Invalid = T->verify();
  DQ_FUZZ_CHECK(!Invalid, "parsed tensor does not verify");

  std::string Out;
  llvm::raw_string_ostream OS(Out);
  if (llvm::Error E = writeNpy(OS, *T)) {
    llvm::consumeError(std::move(E));
    return 0;
  }
  llvm::Expected<Tensor> Again = parseNpy(Out, "again");
  DQ_FUZZ_CHECK(static_cast<bool>(Again), "written .npy does not parse");
  DQ_FUZZ_CHECK(Again->Type == T->Type && Again->Shape == T->Shape &&
                    Again->Data == T->Data,
                "the array changed in the round trip");
  return 0;
}
