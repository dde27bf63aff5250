//===- RtnMethod.cpp - Round-to-nearest ----------------------------------===//

#include "dq/Quant/LayerRun.h"
#include "dq/Quant/Method.h"
#include "dq/Quant/Methods/Rtn.h"

using namespace llvm;

namespace dq {

static Expected<unsigned> solveRtn(LayerRun &Run) {
  RtnOptions O = getMethodOptions<RtnOptions>(Run.Opts.MethodOptions);
  Run.computeEnergy(/*WithHW=*/false);
  if (Error E = Run.initScaleOffset(O.ClipInit))
    return std::move(E);
  Run.forEachChunk([&](int64_t R0, int64_t Len) {
    for (int64_t R = R0; R < R0 + Len; ++R)
      roundToNearest(Run.C, Run.Wd + R * Run.K, Run.Best.S.data() + R * Run.G,
                     Run.Best.Z.data() + R * Run.G,
                     Run.Best.Q.data() + R * Run.K);
  });
  Run.Clock.mark("rtn");
  return 1u;
}

void registerRtnMethod() {
  QuantMethodInfo M;
  M.Name = "rtn";
  M.Description = "round to nearest with min-max (or clip-searched) scale "
                  "and offset per group";
  M.Options = {{"clip-baselines", "start from the clip-searched scale and "
                                  "offset instead of min-max (bool)"}};
  M.SetOption = [](std::any &Config, StringRef Key, StringRef Value) {
    return parseOptionValue(
        Key, Value, getOrMakeMethodOptions<RtnOptions>(Config).ClipInit);
  };
  M.Verify = [](const std::any &Config) {
    return checkMethodOptionsType<RtnOptions>(Config, "rtn");
  };
  M.Solve = solveRtn;
  // Min-max needs no data; the clip search weighs by H, which is then the
  // identity (the plain squared error).
  M.NeedsCalibration = false;
  registerQuantMethod(std::move(M));
}

} // namespace dq
