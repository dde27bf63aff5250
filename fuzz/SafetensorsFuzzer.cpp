//===- SafetensorsFuzzer.cpp - Fuzz the safetensors reader ----------------===//
//
// Any byte string is offered to SafetensorsReader::parse. A file it accepts
// must read back tensor by tensor with the sizes its header promised, and
// must survive a write/parse round trip unchanged.
//
//===----------------------------------------------------------------------===//

#include "FuzzCheck.h"

#include "dq/Support/Safetensors.h"

#include "llvm/Support/raw_ostream.h"

using namespace dq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Bytes(reinterpret_cast<const char *>(Data), Size);
  llvm::Expected<SafetensorsReader> Reader = SafetensorsReader::parse(
      llvm::MemoryBuffer::getMemBufferCopy(Bytes, "fuzz"), "fuzz");
  if (!Reader) {
    llvm::consumeError(Reader.takeError());
    return 0;
  }
  std::vector<NamedTensor> Tensors;
  for (const std::string &Name : Reader->getNames()) {
    llvm::Expected<Tensor> T = Reader->read(Name);
    DQ_FUZZ_CHECK(static_cast<bool>(T), "a listed tensor cannot be read");
    DQ_FUZZ_CHECK(T->Type == llvm::cantFail(Reader->getType(Name)),
                  "dtype differs from the header");
    DQ_FUZZ_CHECK(T->Shape == llvm::cantFail(Reader->getShape(Name)),
                  "shape differs from the header");
    std::optional<uint64_t> Bytes = getCheckedByteSize(T->Type, T->Shape);
    DQ_FUZZ_CHECK(Bytes && *Bytes == T->Data.size(),
                  "data size differs from dtype x shape");
    Tensors.push_back({Name, std::move(*T)});
  }
  llvm::StringRef Absent = "\x01 not a tensor name";
  if (!Reader->contains(Absent)) {
    llvm::Expected<Tensor> Unknown = Reader->read(Absent);
    DQ_FUZZ_CHECK(!Unknown, "an unknown name was read");
    llvm::consumeError(Unknown.takeError());
  }

  // The writer refuses names the reader accepts ("" is a valid JSON key);
  // the round trip only applies to what it writes.
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  if (llvm::Error E = writeSafetensors(OS, Tensors, Reader->getMetadata())) {
    llvm::consumeError(std::move(E));
    return 0;
  }
  llvm::Expected<SafetensorsReader> Again = SafetensorsReader::parse(
      llvm::MemoryBuffer::getMemBufferCopy(Out, "again"), "again");
  DQ_FUZZ_CHECK(static_cast<bool>(Again), "written file does not parse");
  DQ_FUZZ_CHECK(Again->getNames() == Reader->getNames(), "names changed");
  DQ_FUZZ_CHECK(Again->getMetadata() == Reader->getMetadata(),
                "metadata changed");
  for (const NamedTensor &NT : Tensors) {
    llvm::Expected<Tensor> T = Again->read(NT.Name);
    DQ_FUZZ_CHECK(T && T->Type == NT.Value.Type && T->Shape == NT.Value.Shape &&
                      T->Data == NT.Value.Data,
                  "a tensor changed in the round trip");
  }
  return 0;
}
