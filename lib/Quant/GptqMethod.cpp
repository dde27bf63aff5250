//===- GptqMethod.cpp - GPTQ with static groups --------------------------===//

#include "dq/Quant/LayerRun.h"
#include "dq/Quant/Method.h"
#include "dq/Quant/Methods/Gptq.h"

using namespace llvm;

namespace dq {

static Expected<unsigned> solveGptq(LayerRun &Run) {
  GptqOptions O = getMethodOptions<GptqOptions>(Run.Opts.MethodOptions);
  Run.startGptqFactor();
  Run.computeEnergy(/*WithHW=*/false);
  if (Error E = Run.initScaleOffset(O.ClipInit))
    return std::move(E);
  Expected<GptqFactor> Factor = Run.takeGptqFactor();
  if (!Factor)
    return Factor.takeError();
  int64_t K = Run.K, G = Run.G;
  Run.forEachChunk([&](int64_t R0, int64_t Len) {
    gptqRound(Run.C, *Factor, Run.Wd + R0 * K, Len, Run.Best.S.data() + R0 * G,
              Run.Best.Z.data() + R0 * G, Run.Opts.BlockSize,
              Run.Best.Q.data() + R0 * K);
  });
  Run.Clock.mark("gptq");
  return 1u;
}

void registerGptqMethod() {
  QuantMethodInfo M;
  M.Name = "gptq";
  M.Description = "GPTQ: columns rounded in act-order with the error pushed "
                  "onto later columns, static groups";
  M.Options = {{"clip-baselines", "start from the clip-searched scale and "
                                  "offset instead of min-max (bool)"}};
  M.SetOption = [](std::any &Config, StringRef Key, StringRef Value) {
    return parseOptionValue(
        Key, Value, getOrMakeMethodOptions<GptqOptions>(Config).ClipInit);
  };
  M.Verify = [](const std::any &Config) {
    return checkMethodOptionsType<GptqOptions>(Config, "gptq");
  };
  M.FactorsHessian = true;
  M.Solve = solveGptq;
  registerQuantMethod(std::move(M));
}

} // namespace dq
