//===- ErrorsTest.cpp - Every rejected input has a precise message -------===//

#include "QuantTestUtil.h"
#include "dq/Quant/Methods/DecoupleQ.h"
#include "dq/Quant/Methods/Gptq.h"
#include "dq/Quant/Methods/Rtn.h"
#include "dq/Quant/Quantize.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace dq;
using namespace dq::test;
using namespace llvm;

namespace {

std::string errorOf(const Matrix &W, const Matrix &H, const QuantOptions &O) {
  Expected<QuantizedLayer> L = quantizeLayer(W, H, O);
  if (L)
    return "<no error>";
  return toString(L.takeError());
}

struct QuantErrors : ::testing::Test {
  Matrix W = randomWeights(4, 16, 1);
  Matrix H = randomHessian(16, 32, 2);
  QuantOptions O;
};

TEST_F(QuantErrors, UnsupportedBitWidth) {
  for (unsigned Bits : {0u, 1u, 5u, 6u, 7u, 9u, 16u}) {
    O.Bits = Bits;
    EXPECT_EQ(errorOf(W, H, O), "unsupported bit width " +
                                    std::to_string(Bits) +
                                    ": expected 2, 3, 4 or 8");
  }
}

TEST_F(QuantErrors, GroupSizeNotDividingK) {
  O.GroupSize = 6;
  EXPECT_EQ(errorOf(W, H, O), "group size 6 does not divide K = 16");
  O.GroupSize = 0;
  EXPECT_EQ(errorOf(W, H, O), "invalid group size 0: expected a divisor of K "
                              "= 16, or -1 for one group per row");
  O.GroupSize = -2;
  EXPECT_NE(errorOf(W, H, O).find("invalid group size -2"), std::string::npos);
}

TEST_F(QuantErrors, ShapeMismatchAndNonSquareHessian) {
  Matrix H15 = randomHessian(15, 32, 3);
  EXPECT_EQ(errorOf(W, H15, O), "hessian has shape [15, 15] but the weight "
                                "[4, 16] needs [16, 16]");
  Matrix Rect(16, 8);
  EXPECT_EQ(errorOf(W, Rect, O), "hessian has shape [16, 8] but the weight "
                                 "[4, 16] needs [16, 16]");
  Matrix Empty;
  EXPECT_NE(errorOf(Empty, H, O).find("weight must be a non-empty [N, K]"),
            std::string::npos);
}

TEST_F(QuantErrors, NonFiniteValuesArePinpointed) {
  Matrix Wn = W;
  Wn(2, 7) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(errorOf(Wn, H, O), "weight has a non-finite value (nan) at [2, 7]");
  Matrix Hi = H;
  Hi(3, 9) = Hi(9, 3) = std::numeric_limits<double>::infinity();
  EXPECT_EQ(errorOf(W, Hi, O),
            "hessian has a non-finite value (inf) at [3, 9]");
}

TEST_F(QuantErrors, AsymmetricHessian) {
  Matrix Ha = H;
  double MaxAbs = 0;
  for (double V : H.Data)
    MaxAbs = std::max(MaxAbs, std::fabs(V));
  Ha(1, 4) += 1e-3 * MaxAbs; // 100x the tolerance of 1e-5 * max |H|
  std::string E = errorOf(W, Ha, O);
  EXPECT_NE(E.find("hessian is not symmetric: H[1, 4] = "), std::string::npos)
      << E;
  // Float32-level asymmetry is tolerated (and symmetrised).
  Matrix Hs = H;
  Hs(1, 4) *= 1 + 1e-7;
  EXPECT_EQ(errorOf(W, Hs, O), "<no error>");
}

TEST_F(QuantErrors, NotPositiveSemiDefinite) {
  Matrix Hn = H;
  Hn(5, 5) = -0.25;
  EXPECT_EQ(errorOf(W, Hn, O), "hessian is not positive semi-definite: "
                               "diagonal H[5, 5] = -0.25 is negative");
  // A zero diagonal with a non-zero off-diagonal entry cannot be XᵀX.
  Matrix Hz = H;
  for (int64_t I = 0; I < 16; ++I)
    Hz(6, I) = Hz(I, 6) = 0;
  Hz(6, 2) = Hz(2, 6) = 0.5;
  EXPECT_NE(errorOf(W, Hz, O).find("hessian is not positive semi-definite: "
                                   "|H[2, 6]| = 0.5 exceeds"),
            std::string::npos);
  // Every 2x2 minor fine, yet indefinite: eigenvalue 1 - 2·0.9 < 0 far below
  // the damping.
  Matrix Hi(3, 3);
  double V[3][3] = {{1, 0.9, 0.9}, {0.9, 1, -0.9}, {0.9, -0.9, 1}};
  for (int I = 0; I < 3; ++I)
    for (int J = 0; J < 3; ++J)
      Hi(I, J) = V[I][J];
  Matrix W3 = randomWeights(2, 3, 9);
  EXPECT_NE(errorOf(W3, Hi, O).find("hessian is not positive semi-definite: "
                                    "H + 0.01"),
            std::string::npos)
      << errorOf(W3, Hi, O);
}

TEST_F(QuantErrors, BadOptions) {
  QuantOptions A = O;
  DecoupleQOptions D;
  D.Iters = 0;
  A.MethodOptions = D;
  EXPECT_EQ(errorOf(W, H, A), "iters must be at least 1");
  D.Iters = 4;
  D.FlexRound.LearningRate = 0;
  A.MethodOptions = D;
  EXPECT_EQ(errorOf(W, H, A), "flexround-lr must be a positive number, not 0");
  D.FlexRound.LearningRate = -0.5;
  A.MethodOptions = D;
  EXPECT_EQ(errorOf(W, H, A),
            "flexround-lr must be a positive number, not -0.5");
  A.Method = "gptq";
  EXPECT_EQ(errorOf(W, H, A),
            "the options given for method 'gptq' are another method's");
  A = O;
  A.Method = "awq";
  EXPECT_EQ(errorOf(W, H, A), "unknown method 'awq' (registered: decoupleq, "
                              "gptq, rtn; see dq-quant --list-methods)");
  A = O;
  A.Damp = -1;
  EXPECT_EQ(errorOf(W, H, A), "damp must be a finite value >= 0, got -1");
  A = O;
  A.ClipMaxShrink = 1.5;
  EXPECT_NE(errorOf(W, H, A).find("max shrink in (0, 1]"), std::string::npos);
  A = O;
  A.Threads = 0;
  EXPECT_EQ(errorOf(W, H, A), "threads must be at least 1");
}

TEST_F(QuantErrors, ScaleOverflowsStorageType) {
  Matrix Big = W;
  Big(1, 3) = 3e5; // min-max scale 1e5 > 65504
  O.GroupSize = 8;
  EXPECT_EQ(errorOf(Big, H, O), "row 1, group 0: min-max scale/offset "
                                "overflow f16; use a wider scale type (f32)");
  O.Scale = ScaleType::F32;
  EXPECT_EQ(errorOf(Big, H, O), "<no error>");
}

// The baselines' clip search ranks candidates whose (s, z) overflow the
// scale type last and never rounds with them (dq-fuzz-quant found them
// rounded through a NaN, undefined behaviour); when no candidate fits, the
// overflow is reported as before.
TEST_F(QuantErrors, ClipSearchSkipsOverflowingCandidates) {
  Matrix Big = W;
  Big(1, 3) = 3e5; // Fits f16 only once shrunk below ~0.65.
  O.GroupSize = 8;
  for (unsigned Exact : {0u, 4u})
    for (std::string M : {"rtn", "gptq"}) {
      O.Method = M;
      if (M == "rtn")
        O.MethodOptions = RtnOptions{/*ClipInit=*/true};
      else
        O.MethodOptions = GptqOptions{/*ClipInit=*/true};
      O.ClipExactCandidates = Exact;
      Expected<QuantizedLayer> L = quantizeLayer(Big, H, O);
      ASSERT_TRUE(static_cast<bool>(L)) << toString(L.takeError());
      for (size_t I = 0; I < L->ScaleValues.size(); ++I) {
        EXPECT_TRUE(std::isfinite(L->ScaleValues[I]));
        EXPECT_TRUE(std::isfinite(L->OffsetValues[I]));
      }
    }
  Matrix Huge = W;
  Huge(1, 3) = 1e30;
  EXPECT_EQ(errorOf(Huge, H, O), "row 1, group 0: min-max scale/offset "
                                 "overflow f16; use a wider scale type (f32)");
}

} // namespace
