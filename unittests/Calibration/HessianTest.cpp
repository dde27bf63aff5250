//===- HessianTest.cpp - The streaming XᵀX / T accumulator ----------------===//

#include "dq/Calibration/Hessian.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>

using namespace dq;
using namespace llvm;

namespace {

//===----------------------------------------------------------------------===//
// Hessian accumulation
//===----------------------------------------------------------------------===//

TEST(HessianAccumulator, MatchesDirectXtXOverT) {
  int64_t K = 7;
  std::mt19937_64 Rng(3);
  std::normal_distribution<double> Norm;
  HessianAccumulator Acc(K);
  std::vector<std::vector<double>> All;
  for (int B = 0; B < 3; ++B) {
    int64_t Rows = 5 + B;
    std::vector<float> Xf;
    std::vector<double> Xd;
    for (int64_t I = 0; I < Rows * K; ++I) {
      float V = float(Norm(Rng));
      Xf.push_back(V);
      Xd.push_back(V);
    }
    for (int64_t R = 0; R < Rows; ++R)
      All.emplace_back(Xd.begin() + R * K, Xd.begin() + (R + 1) * K);
    if (B % 2)
      ASSERT_FALSE(bool(Acc.addBatch(ArrayRef<float>(Xf), Rows)));
    else
      ASSERT_FALSE(bool(Acc.addBatch(ArrayRef<double>(Xd), Rows)));
  }
  Expected<Matrix> H = Acc.getHessian();
  ASSERT_TRUE(bool(H)) << toString(H.takeError());
  EXPECT_EQ(Acc.getNumSamples(), 18);
  for (int64_t I = 0; I < K; ++I)
    for (int64_t J = 0; J < K; ++J) {
      double Want = 0;
      for (const auto &X : All)
        Want += X[I] * X[J];
      Want /= double(All.size());
      // float64 sums of 18 products of O(1) values: 1e-14 is ~100 ulps.
      EXPECT_NEAR((*H)(I, J), Want, 1e-14);
    }
}

TEST(HessianAccumulator, RejectsNonFiniteBatchNamingIt) {
  HessianAccumulator Acc(3);
  std::vector<double> Good = {1, 2, 3, 4, 5, 6};
  ASSERT_FALSE(bool(Acc.addBatch(ArrayRef<double>(Good), 2)));
  std::vector<float> Bad = {1, 2, 3, 4, std::nanf(""), 6};
  Error E = Acc.addBatch(ArrayRef<float>(Bad), 2);
  EXPECT_EQ(toString(std::move(E)), "activation batch 1 rejected: non-finite "
                                    "value nan at row 1, column 1");
  std::vector<double> Inf = {std::numeric_limits<double>::infinity(), 0, 0};
  EXPECT_EQ(toString(Acc.addBatch(ArrayRef<double>(Inf), 1)),
            "activation batch 2 rejected: non-finite value inf at row 0, "
            "column 0");
  // The rejected batches left nothing behind.
  EXPECT_EQ(Acc.getNumSamples(), 2);
  Expected<Matrix> H = Acc.getHessian();
  ASSERT_TRUE(bool(H));
  EXPECT_DOUBLE_EQ((*H)(0, 0), (1.0 + 16.0) / 2.0);
  EXPECT_DOUBLE_EQ((*H)(1, 2), (2.0 * 3.0 + 5.0 * 6.0) / 2.0);
}

TEST(HessianAccumulator, WrongBatchSizeAndEmpty) {
  HessianAccumulator Acc(4);
  EXPECT_EQ(toString(Acc.getHessian().takeError()),
            "no activation samples were accumulated");
  std::vector<double> X(7, 1.0);
  EXPECT_EQ(toString(Acc.addBatch(ArrayRef<double>(X), 2)),
            "activation batch 0: 7 values do not form rows of K = 4 (2 rows "
            "expected 8 values)");
}

// Every entry receives its products one row at a time, in row order, then
// is scaled by 1/T: exactly what this float64 loop computes. So the
// tolerance is zero, across the cache tiles (K > 256 and > 64, odd), the
// four-row passes (a row count that is not a multiple of 4) and batches.
TEST(HessianAccumulator, EqualsRowOrderFloat64SumAcrossTiles) {
  int64_t K = 301;
  std::mt19937_64 Rng(5);
  std::normal_distribution<double> Norm;
  HessianAccumulator Acc(K), Again(K);
  std::vector<double> All;
  for (int64_t Rows : {7, 13}) {
    std::vector<double> X;
    for (int64_t I = 0; I < Rows * K; ++I)
      X.push_back(Norm(Rng));
    ASSERT_FALSE(bool(Acc.addBatch(ArrayRef<double>(X), Rows)));
    ASSERT_FALSE(bool(Again.addBatch(ArrayRef<double>(X), Rows)));
    All.insert(All.end(), X.begin(), X.end());
  }
  Expected<Matrix> H = Acc.getHessian();
  Expected<Matrix> H2 = Again.getHessian();
  ASSERT_TRUE(bool(H) && bool(H2));
  EXPECT_EQ(H->Data, H2->Data); // Bit-identical run to run.
  int64_t T = int64_t(All.size()) / K;
  double Inv = 1.0 / double(T);
  for (int64_t I = 0; I < K; ++I)
    for (int64_t J = I; J < K; ++J) {
      double Want = 0;
      for (int64_t R = 0; R < T; ++R)
        Want += All[R * K + I] * All[R * K + J];
      ASSERT_EQ((*H)(I, J), Want * Inv) << I << "," << J;
      ASSERT_EQ((*H)(J, I), Want * Inv) << J << "," << I;
    }
}

} // namespace
