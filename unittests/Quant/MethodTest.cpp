//===- MethodTest.cpp - The method registry and the options parser -------===//

#include "dq/Quant/Method.h"
#include "QuantTestUtil.h"
#include "dq/Quant/LayerRun.h"
#include "dq/Quant/Methods/DecoupleQ.h"
#include "dq/Quant/Methods/Gptq.h"
#include "dq/Quant/Methods/Rtn.h"
#include "dq/Quant/Settings.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace dq;
using namespace dq::test;
using namespace llvm;

namespace {

std::string settingError(StringRef KeyValue) {
  QuantSettings S;
  Error E = applyQuantSetting(S, KeyValue);
  return E ? toString(std::move(E)) : "<no error>";
}

bool sameBits(const QuantizedLayer &A, const QuantizedLayer &B) {
  return A.Q == B.Q && A.ItersRun == B.ItersRun &&
         std::memcmp(A.ScaleValues.data(), B.ScaleValues.data(),
                     A.ScaleValues.size() * sizeof(float)) == 0 &&
         std::memcmp(A.OffsetValues.data(), B.OffsetValues.data(),
                     A.OffsetValues.size() * sizeof(float)) == 0;
}

TEST(MethodRegistry, BuiltinsAreRegisteredWithTheirOptions) {
  for (StringRef Name : {"rtn", "gptq", "decoupleq"}) {
    const QuantMethodInfo *M = lookupQuantMethod(Name);
    ASSERT_NE(M, nullptr) << Name.str();
    EXPECT_FALSE(M->Description.empty());
    EXPECT_TRUE(M->Solve && M->SetOption && M->Verify);
  }
  EXPECT_EQ(lookupQuantMethod("awq"), nullptr);
  EXPECT_EQ(lookupQuantMethod("decoupleq")->Options.size(), 12u);
}

TEST(QuantSettings, ParsesCommonAndMethodKeys) {
  QuantSettings S;
  for (StringRef Text :
       {"method=gptq", "bits=4", "group-size=16", "scale-type=bf16", "damp=0.5",
        "iters=2", "int-step=pgd", "pgd-steps=3", "clip-baselines=1",
        "cd-sweeps=5", "refine-iters=3", "refine-restart=1"})
    ASSERT_FALSE(bool(applyQuantSetting(S, Text))) << Text.str();
  EXPECT_EQ(S.Common.Method, "gptq");
  EXPECT_EQ(S.Common.Bits, 4u);
  EXPECT_EQ(S.Common.GroupSize, 16);
  EXPECT_EQ(S.Common.Scale, ScaleType::BF16);
  EXPECT_EQ(S.Common.Damp, 0.5);
  // A key goes to every method that has it, so that a per-layer method
  // override finds its options too.
  QuantOptions Rtn = S.getOptions("rtn"), Gptq = S.getOptions("gptq");
  EXPECT_TRUE(getMethodOptions<RtnOptions>(Rtn.MethodOptions).ClipInit);
  EXPECT_TRUE(getMethodOptions<GptqOptions>(Gptq.MethodOptions).ClipInit);
  QuantOptions D = S.getOptions("decoupleq");
  EXPECT_EQ(D.Method, "decoupleq");
  EXPECT_EQ(D.Bits, 4u);
  DecoupleQOptions Dq = getMethodOptions<DecoupleQOptions>(D.MethodOptions);
  EXPECT_EQ(Dq.Iters, 2u);
  EXPECT_EQ(Dq.IntStep, IntStepKind::PGD);
  EXPECT_EQ(Dq.Pgd.Steps, 3u);
  EXPECT_EQ(Dq.Pgd.ColumnSteps, 1u); // untouched: the default
  EXPECT_EQ(Dq.CdSweeps, 5u);
  EXPECT_EQ(Dq.RefineIters, 3u);
  EXPECT_TRUE(Dq.RefineRestart);

  for (StringRef Text :
       {"int-step=flexround", "flexround-steps=7", "flexround-lr=0.02"})
    ASSERT_FALSE(bool(applyQuantSetting(S, Text))) << Text.str();
  Dq = getMethodOptions<DecoupleQOptions>(
      S.getOptions("decoupleq").MethodOptions);
  EXPECT_EQ(Dq.IntStep, IntStepKind::FlexRound);
  EXPECT_EQ(getIntStepName(Dq.IntStep), "flexround");
  EXPECT_EQ(Dq.FlexRound.Steps, 7u);
  EXPECT_EQ(Dq.FlexRound.LearningRate, 0.02);
}

TEST(QuantSettings, ErrorsNameTheKeyAndValue) {
  // (A test below registers one more method: a prefix.)
  EXPECT_EQ(settingError("method=awq")
                .rfind("unknown method 'awq' (registered: decoupleq, gptq, "
                       "rtn",
                       0),
            0u);
  EXPECT_EQ(settingError("group-size=x"),
            "invalid value 'x' for group-size: expected an integer");
  EXPECT_EQ(settingError("damp=nan"),
            "invalid value 'nan' for damp: expected a finite number");
  EXPECT_EQ(settingError("bits=7"),
            "unsupported bit width 7; expected 2, 3, 4 or 8");
  EXPECT_EQ(settingError("iters=-1"),
            "invalid value '-1' for iters: expected an unsigned integer");
  EXPECT_EQ(settingError("int-step=adam"),
            "unknown int-step 'adam' (expected gptq, pgd, flexround)");
  EXPECT_EQ(settingError("flexround-steps=-5"),
            "invalid value '-5' for flexround-steps: expected an unsigned "
            "integer");
  EXPECT_EQ(settingError("flexround-lr=fast"),
            "invalid value 'fast' for flexround-lr: expected a finite number");
  EXPECT_EQ(settingError("=1"), "option '=1' is not key=value");
  EXPECT_EQ(settingError("iters"), "option 'iters' is not key=value");
  EXPECT_NE(settingError("bogus=1").find("unknown option 'bogus' (common: "
                                         "method, bits,"),
            std::string::npos);
}

// The parsed options quantize exactly as the same options set in C++.
TEST(QuantSettings, SameBitsAsTheOptionsStruct) {
  Matrix W = randomWeights(8, 16, 11);
  Matrix H = randomHessian(16, 40, 12);
  QuantSettings S;
  for (StringRef Text : {"group-size=8", "iters=2", "int-step=pgd"})
    ASSERT_FALSE(bool(applyQuantSetting(S, Text)));
  QuantOptions Direct;
  Direct.GroupSize = 8;
  DecoupleQOptions D;
  D.Iters = 2;
  D.IntStep = IntStepKind::PGD;
  Direct.MethodOptions = D;
  Expected<QuantizedLayer> A = quantizeLayer(W, H, S.getOptions("decoupleq"));
  Expected<QuantizedLayer> B = quantizeLayer(W, H, Direct);
  ASSERT_TRUE(bool(A) && bool(B));
  EXPECT_TRUE(sameBits(*A, *B));
}

// A method registered from outside the engine: found by name, listed,
// given its own option by the parser, run through quantizeLayer.
struct TestZeroOptions {
  bool NegativeOffset = false;
};

Expected<unsigned> solveTestZero(LayerRun &Run) {
  auto O = getMethodOptions<TestZeroOptions>(Run.Opts.MethodOptions);
  Run.computeEnergy(/*WithHW=*/false);
  if (Error E = Run.initScaleOffset(/*ClipSearch=*/false))
    return std::move(E);
  if (O.NegativeOffset)
    for (float &Z : Run.Best.Z)
      Z = -Z;
  Run.report("zero", 0, 0);
  return 1u; // Best.Q stays 0: ŵ = z.
}

TEST(MethodRegistry, ATestMethodPlugsIn) {
  QuantMethodInfo M;
  M.Name = "test-zero";
  M.Description = "test only: every integer 0";
  M.Options = {{"negative-offset", "negate the offsets (bool)"}};
  M.SetOption = [](std::any &Config, StringRef Key, StringRef Value) {
    return parseOptionValue(
        Key, Value,
        getOrMakeMethodOptions<TestZeroOptions>(Config).NegativeOffset);
  };
  M.Verify = [](const std::any &Config) {
    return checkMethodOptionsType<TestZeroOptions>(Config, "test-zero");
  };
  M.Solve = solveTestZero;
  registerQuantMethod(std::move(M));
  EXPECT_EQ(getQuantMethodList(), "decoupleq, gptq, rtn, test-zero");
  EXPECT_EQ(settingError("method=nope"),
            "unknown method 'nope' (registered: decoupleq, gptq, rtn, "
            "test-zero; see dq-quant --list-methods)");
  std::string Help;
  raw_string_ostream OS(Help);
  printQuantMethods(OS);
  EXPECT_NE(Help.find("negative-offset"), std::string::npos);

  QuantSettings S;
  ASSERT_FALSE(bool(applyQuantSetting(S, "method=test-zero")));
  ASSERT_FALSE(bool(applyQuantSetting(S, "negative-offset=true")));
  ASSERT_FALSE(bool(applyQuantSetting(S, "group-size=8")));
  Matrix W = randomWeights(4, 16, 21);
  Matrix H = randomHessian(16, 40, 22);
  std::vector<std::string> Stages;
  QuantOptions O = S.getOptions(S.Common.Method);
  O.Progress = [&](const QuantProgress &P) { Stages.push_back(P.Stage.str()); };
  Expected<QuantizedLayer> L = quantizeLayer(W, H, O);
  ASSERT_TRUE(bool(L)) << toString(L.takeError());
  EXPECT_EQ(Stages, (std::vector<std::string>{"zero", "done"}));
  EXPECT_EQ(L->ItersRun, 1u);
  for (int8_t Q : L->Q)
    EXPECT_EQ(Q, 0);
  // The engine measured the errors of what the method left: ŵ = z.
  Matrix What = L->dequantize();
  std::vector<double> Want = computeRowErrors(W, What, H);
  for (int64_t R = 0; R < 4; ++R)
    EXPECT_NEAR(L->RowError[R], Want[R], 1e-9 * (1 + Want[R]));
  // Another method's options are refused by name.
  O.MethodOptions = RtnOptions();
  Expected<QuantizedLayer> Bad = quantizeLayer(W, H, O);
  ASSERT_FALSE(bool(Bad));
  EXPECT_EQ(toString(Bad.takeError()),
            "the options given for method 'test-zero' are another method's");
}

} // namespace
