//===- StatsFuzzer.cpp - Fuzz the calibration statistics reader -----------===//
//
// Any byte string is offered to StatsReader::parse. Every layer of a file it
// accepts is read; a layer that reads must satisfy verifyLayerStats, and two
// such layers of the same K must merge.
//
//===----------------------------------------------------------------------===//

#include "FuzzCheck.h"

#include "dq/Calibration/Stats.h"

#include <cmath>

using namespace dq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Bytes(reinterpret_cast<const char *>(Data), Size);
  llvm::Expected<StatsReader> Reader = StatsReader::parse(
      llvm::MemoryBuffer::getMemBufferCopy(Bytes, "fuzz"), "fuzz");
  if (!Reader) {
    llvm::consumeError(Reader.takeError());
    return 0;
  }
  std::optional<LayerStats> Previous;
  for (const std::string &Name : Reader->getLayerNames()) {
    DQ_FUZZ_CHECK(Reader->contains(Name), "a listed layer is missing");
    llvm::Expected<int64_t> K = Reader->getK(Name);
    DQ_FUZZ_CHECK(K && *K > 0, "a listed layer has no K");
    llvm::Expected<LayerStats> Layer = Reader->read(Name);
    if (!Layer) {
      // Values (non-finite, asymmetric, ...) are only checked here.
      llvm::consumeError(Layer.takeError());
      continue;
    }
    DQ_FUZZ_CHECK(Layer->K == *K, "K differs from the header");
    DQ_FUZZ_CHECK(Layer->Tokens > 0, "accepted a non-positive token count");
    llvm::Error Invalid = verifyLayerStats(*Layer);
    DQ_FUZZ_CHECK(!Invalid, "a layer that read does not verify");
    for (double V : Layer->Hessian)
      DQ_FUZZ_CHECK(std::isfinite(V), "accepted a non-finite Hessian");
    if (Previous && Previous->K == Layer->K) {
      if (llvm::Error E = mergeLayerStats(*Previous, *Layer))
        llvm::consumeError(std::move(E)); // Token counts may overflow.
    } else {
      Previous = std::move(*Layer);
    }
  }
  llvm::StringRef Absent = "\x01 not a layer";
  if (!Reader->contains(Absent)) {
    llvm::Expected<LayerStats> Unknown = Reader->read(Absent);
    DQ_FUZZ_CHECK(!Unknown, "an unknown layer was read");
    llvm::consumeError(Unknown.takeError());
  }
  return 0;
}
