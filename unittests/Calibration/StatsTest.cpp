//===- StatsTest.cpp - calibration statistics files -----------------------===//

#include "dq/Calibration/Stats.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace dq;

namespace {

/// H = XᵀX / T of a random T x K activation matrix, in float64.
LayerStats randomLayer(const std::string &Name, int64_t K, int64_t T,
                       unsigned Seed, std::vector<double> *XOut = nullptr) {
  std::mt19937 Gen(Seed);
  std::normal_distribution<double> Dist;
  std::vector<double> X(T * K);
  for (double &V : X)
    V = Dist(Gen);
  LayerStats L{Name, K, T, std::vector<double>(K * K, 0.0)};
  for (int64_t I = 0; I < K; ++I)
    for (int64_t J = 0; J < K; ++J) {
      double S = 0;
      for (int64_t R = 0; R < T; ++R)
        S += X[R * K + I] * X[R * K + J];
      L.Hessian[I * K + J] = S / double(T);
    }
  if (XOut)
    *XOut = X;
  return L;
}

class StatsFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("dq-stats", Dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(Dir); }
  std::string path(const char *Name) { return (Dir + "/" + Name).str(); }

  /// Writes a raw safetensors file with the stats metadata.
  std::string writeRaw(std::vector<NamedTensor> Tensors,
                       std::map<std::string, std::string> Meta = {
                           {"format", "dq-calibration-stats"},
                           {"format_version", "1"}}) {
    std::string P = path("raw.safetensors");
    EXPECT_FALSE(llvm::errorToBool(writeSafetensorsFile(P, Tensors, Meta)));
    return P;
  }
  std::string openError(const std::string &P) {
    llvm::Expected<StatsReader> R = StatsReader::open(P);
    if (R)
      return "<no error>";
    return llvm::toString(R.takeError());
  }
  std::string readError(const std::string &P, llvm::StringRef Layer) {
    llvm::Expected<StatsReader> R = StatsReader::open(P);
    if (!R)
      return "open: " + llvm::toString(R.takeError());
    llvm::Expected<LayerStats> L = R->read(Layer);
    if (L)
      return "<no error>";
    return llvm::toString(L.takeError());
  }
  static NamedTensor f64(const std::string &Name, std::vector<int64_t> Shape,
                         std::vector<double> Values) {
    Tensor T = cantFail(Tensor::create(DType::F64, Shape));
    std::memcpy(T.Data.data(), Values.data(), T.Data.size());
    return {Name, T};
  }
  static NamedTensor i64(const std::string &Name, int64_t V) {
    Tensor T = cantFail(Tensor::create(DType::I64, {}));
    std::memcpy(T.Data.data(), &V, 8);
    return {Name, T};
  }
  llvm::SmallString<128> Dir;
};

TEST_F(StatsFileTest, RoundTripsLayers) {
  std::vector<LayerStats> Layers = {randomLayer("enc.0.q", 5, 17, 1),
                                    randomLayer("fc", 3, 4, 2)};
  std::string P = path("s.safetensors");
  ASSERT_FALSE(llvm::errorToBool(writeStatsFile(P, Layers, "test")));
  llvm::Expected<StatsReader> R = StatsReader::open(P);
  ASSERT_TRUE(bool(R)) << llvm::toString(R.takeError());
  EXPECT_EQ(R->getLayerNames().vec(),
            (std::vector<std::string>{"enc.0.q", "fc"}));
  EXPECT_EQ(R->getMetadata().at("producer"), "test");
  EXPECT_EQ(cantFail(R->getK("enc.0.q")), 5);
  for (const LayerStats &Want : Layers) {
    llvm::Expected<LayerStats> Got = R->read(Want.Name);
    ASSERT_TRUE(bool(Got)) << llvm::toString(Got.takeError());
    EXPECT_EQ(Got->K, Want.K);
    EXPECT_EQ(Got->Tokens, Want.Tokens);
    EXPECT_EQ(Got->Hessian, Want.Hessian); // Written as F64: bit-exact.
  }
}

TEST_F(StatsFileTest, AcceptsF32HessianAndOneElementTokens) {
  LayerStats L = randomLayer("a", 3, 9, 3);
  Tensor H = cantFail(Tensor::create(DType::F32, {3, 3}));
  for (int I = 0; I < 9; ++I) {
    float F = float(L.Hessian[I]);
    std::memcpy(H.Data.data() + 4 * I, &F, 4);
  }
  Tensor T = cantFail(Tensor::create(DType::I64, {1}));
  int64_t Nine = 9;
  std::memcpy(T.Data.data(), &Nine, 8);
  std::string P = writeRaw({{"a.hessian", H}, {"a.tokens", T}});
  llvm::Expected<StatsReader> R = StatsReader::open(P);
  ASSERT_TRUE(bool(R)) << llvm::toString(R.takeError());
  llvm::Expected<LayerStats> Got = R->read("a");
  ASSERT_TRUE(bool(Got)) << llvm::toString(Got.takeError());
  EXPECT_EQ(Got->Tokens, 9);
  for (int I = 0; I < 9; ++I)
    EXPECT_EQ(Got->Hessian[I], double(float(L.Hessian[I])));
}

// Merging two runs equals accumulating over all their rows at once.
TEST(Stats, MergeEqualsJointAccumulation) {
  std::vector<double> XA, XB;
  LayerStats A = randomLayer("l", 4, 7, 11, &XA);
  LayerStats B = randomLayer("l", 4, 13, 12, &XB);
  ASSERT_FALSE(llvm::errorToBool(mergeLayerStats(A, B)));
  EXPECT_EQ(A.Tokens, 20);
  std::vector<double> X = XA;
  X.insert(X.end(), XB.begin(), XB.end());
  for (int I = 0; I < 4; ++I)
    for (int J = 0; J < 4; ++J) {
      double S = 0;
      for (int R = 0; R < 20; ++R)
        S += X[R * 4 + I] * X[R * 4 + J];
      // Two roundings of weighted averages of values of order 1.
      EXPECT_NEAR(A.Hessian[I * 4 + J], S / 20, 1e-14) << I << "," << J;
    }
}

TEST(Stats, MergeRejectsDifferentK) {
  LayerStats A = randomLayer("l", 4, 7, 1), B = randomLayer("l", 3, 7, 2);
  llvm::Error E = mergeLayerStats(A, B);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "layer 'l': cannot merge statistics with K = 3 into K = 4");
}

TEST(Stats, VerifyRejectsBadValues) {
  LayerStats L{"l", 2, 5, {1, 0.5, 0.5, 1}};
  EXPECT_FALSE(llvm::errorToBool(verifyLayerStats(L)));
  LayerStats NaN = L;
  NaN.Hessian[1] = std::nan("");
  EXPECT_EQ(llvm::toString(verifyLayerStats(NaN)),
            "layer 'l': Hessian has a non-finite value (nan) at [0, 1]");
  LayerStats Asym = L;
  Asym.Hessian[1] = 0.6;
  EXPECT_EQ(llvm::toString(verifyLayerStats(Asym)),
            "layer 'l': Hessian is not symmetric: [0, 1] = 0.6 but [1, 0] "
            "= 0.5");
  LayerStats Neg = L;
  Neg.Hessian[3] = -1;
  EXPECT_EQ(llvm::toString(verifyLayerStats(Neg)),
            "layer 'l': Hessian diagonal [1, 1] is negative (-1); XᵀX/T has "
            "a non-negative diagonal");
  LayerStats NotGram = L;
  NotGram.Hessian[1] = NotGram.Hessian[2] = 2;
  EXPECT_EQ(llvm::toString(verifyLayerStats(NotGram)),
            "layer 'l': Hessian is not a Gram matrix: |H[0, 1]| = 2 exceeds "
            "sqrt(H[i,i] H[j,j]) = 1");
  LayerStats NoTokens = L;
  NoTokens.Tokens = 0;
  EXPECT_EQ(llvm::toString(verifyLayerStats(NoTokens)),
            "layer 'l': token count must be positive, got 0");
}

TEST_F(StatsFileTest, RejectsWrongFormatMetadata) {
  std::string P = writeRaw({}, {{"format", "pt"}});
  EXPECT_EQ(openError(P), P + ": not a calibration statistics file "
                              "(metadata 'format' must be "
                              "'dq-calibration-stats')");
  P = writeRaw({},
               {{"format", "dq-calibration-stats"}, {"format_version", "7"}});
  EXPECT_EQ(openError(P),
            P + ": unsupported statistics format version '7' (supported: 1)");
}

TEST_F(StatsFileTest, RejectsIncompleteOrUnexpectedTensors) {
  std::string P = writeRaw({f64("a.hessian", {1, 1}, {1})});
  EXPECT_EQ(openError(P), P + ": layer 'a' has a Hessian but no 'a.tokens'");
  P = writeRaw({i64("a.tokens", 3)});
  EXPECT_EQ(openError(P),
            P + ": layer 'a' has a token count but no 'a.hessian'");
  P = writeRaw({f64("a.weight", {1}, {1})});
  EXPECT_EQ(openError(P), P + ": unexpected tensor 'a.weight' (expected "
                              "<layer>.hessian and <layer>.tokens)");
}

TEST_F(StatsFileTest, RejectsWrongShapesAndTypes) {
  std::string P = writeRaw(
      {f64("a.hessian", {2, 3}, {1, 0, 0, 0, 1, 0}), i64("a.tokens", 3)});
  EXPECT_EQ(openError(P), P + ": 'a.hessian' must be a non-empty square "
                              "[K, K] matrix, got shape [2, 3]");
  Tensor Tok = cantFail(Tensor::create(DType::F32, {}));
  P = writeRaw({f64("a.hessian", {1, 1}, {1}), {"a.tokens", Tok}});
  EXPECT_EQ(openError(P), P + ": 'a.tokens' must be an I64 scalar (shape [] "
                              "or [1]), got F32 []");
  Tensor I8 = cantFail(Tensor::create(DType::I8, {1, 1}));
  P = writeRaw({{"a.hessian", I8}, i64("a.tokens", 3)});
  EXPECT_EQ(openError(P), P + ": 'a.hessian' must be F64 or F32, got I8");
}

TEST_F(StatsFileTest, ReadValidatesValues) {
  std::string P = writeRaw(
      {f64("a.hessian", {2, 2}, {1, 0.9, 0.1, 1}), i64("a.tokens", 3)});
  EXPECT_EQ(readError(P, "a"), P + ": layer 'a': Hessian is not symmetric: "
                                   "[0, 1] = 0.9 but [1, 0] = 0.1");
  P = writeRaw({f64("a.hessian", {1, 1}, {1}), i64("a.tokens", -2)});
  EXPECT_EQ(readError(P, "a"),
            P + ": layer 'a': token count must be positive, got -2");
  EXPECT_EQ(readError(P, "b"), P + ": no statistics for layer 'b'");
}

TEST_F(StatsFileTest, WriterRefusesInvalidLayersAndLeavesNoFile) {
  std::string P = path("bad.safetensors");
  LayerStats L = randomLayer("x", 2, 3, 5);
  llvm::Error E = writeStatsFile(P, {L, L}, "t");
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(llvm::toString(std::move(E)),
            "cannot write '" + P + "': layer 'x' appears twice");
  EXPECT_FALSE(llvm::sys::fs::exists(P));
  L.Hessian[0] = INFINITY;
  E = writeStatsFile(P, {L}, "t");
  ASSERT_TRUE(bool(E));
  llvm::consumeError(std::move(E));
  EXPECT_FALSE(llvm::sys::fs::exists(P));
}

} // namespace
