//===- BudgetTest.cpp - The exact per-layer choice under a size budget ----===//
//
// chooseUnderBudget against brute force over every combination, on fresh
// random problems (the seed is printed on failure), and its errors.
//
//===----------------------------------------------------------------------===//

#include "dq/Quant/Budget.h"
#include "dq/Support/Packing.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace dq;

namespace {

/// The chosen options, failing the test (with the message) on an error.
std::vector<size_t> choose(const std::vector<BudgetLayer> &Layers,
                           uint64_t Budget) {
  llvm::Expected<std::vector<size_t>> Chosen =
      chooseUnderBudget(Layers, Budget);
  if (!Chosen) {
    ADD_FAILURE() << llvm::toString(Chosen.takeError());
    return {};
  }
  return *Chosen;
}

/// The error message of a call that must fail ("" if it succeeded).
std::string errorOf(const std::vector<BudgetLayer> &Layers, uint64_t Budget,
                    size_t MaxFront = size_t(1) << 24) {
  llvm::Expected<std::vector<size_t>> Chosen =
      chooseUnderBudget(Layers, Budget, MaxFront);
  return Chosen ? "" : llvm::toString(Chosen.takeError());
}

/// Random layers whose options trade storage against cost, as bit widths
/// and group sizes do (more bits cost less), with some shared sizes so that
/// ties in storage occur.
std::vector<BudgetLayer> randomLayers(std::mt19937_64 &Rng, int NumLayers,
                                      int MaxOptions) {
  std::uniform_int_distribution<int> NumOptions(1, MaxOptions);
  std::uniform_int_distribution<uint64_t> Size(1, 40);
  std::uniform_real_distribution<double> Cost(0.0, 10.0);
  std::vector<BudgetLayer> Layers(NumLayers);
  for (auto [I, L] : llvm::enumerate(Layers)) {
    L.Name = "layer" + std::to_string(I);
    int N = NumOptions(Rng);
    for (int J = 0; J < N; ++J)
      L.Options.push_back({2, 64, Size(Rng) * 8, Cost(Rng)});
  }
  return Layers;
}

/// The least summed cost within the budget by enumerating every
/// combination (-1 when none fits).
double bruteForceCost(const std::vector<BudgetLayer> &Layers, uint64_t Budget) {
  double Best = -1;
  std::vector<size_t> Pick(Layers.size(), 0);
  while (true) {
    uint64_t Bits = 0;
    double Cost = 0;
    for (size_t I = 0; I < Layers.size(); ++I) {
      Bits += Layers[I].Options[Pick[I]].StorageBits;
      Cost += Layers[I].Options[Pick[I]].Cost;
    }
    if (Bits <= Budget && (Best < 0 || Cost < Best))
      Best = Cost;
    size_t I = 0;
    while (I < Layers.size() && ++Pick[I] == Layers[I].Options.size())
      Pick[I++] = 0;
    if (I == Layers.size())
      return Best;
  }
}

TEST(Budget, MatchesBruteForce) {
  uint64_t Seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(Seed));
  std::mt19937_64 Rng(Seed);
  int Solved = 0;
  for (int Trial = 0; Trial < 300; ++Trial) {
    std::vector<BudgetLayer> Layers = randomLayers(Rng, 1 + Trial % 6, 5);
    uint64_t Least = 0, Most = 0;
    for (const BudgetLayer &L : Layers) {
      uint64_t Lo = UINT64_MAX, Hi = 0;
      for (const BudgetOption &O : L.Options) {
        Lo = std::min(Lo, O.StorageBits);
        Hi = std::max(Hi, O.StorageBits);
      }
      Least += Lo;
      Most += Hi;
    }
    uint64_t Budget =
        std::uniform_int_distribution<uint64_t>(Least, Most + 8)(Rng);
    double Expected = bruteForceCost(Layers, Budget);
    ASSERT_GE(Expected, 0);
    std::vector<size_t> Chosen = choose(Layers, Budget);
    ASSERT_EQ(Chosen.size(), Layers.size());
    uint64_t Bits = 0;
    double Cost = 0;
    for (size_t I = 0; I < Layers.size(); ++I) {
      ASSERT_LT(Chosen[I], Layers[I].Options.size());
      Bits += Layers[I].Options[Chosen[I]].StorageBits;
      Cost += Layers[I].Options[Chosen[I]].Cost;
    }
    EXPECT_LE(Bits, Budget) << "trial " << Trial;
    // The sums differ only in the order of additions.
    EXPECT_NEAR(Cost, Expected, 1e-12 * (1 + Expected)) << "trial " << Trial;
    ++Solved;
  }
  EXPECT_EQ(Solved, 300);
}

TEST(Budget, BudgetAtTheExtremes) {
  // Two layers, options {8 bits: cost 5, 16 bits: cost 1}.
  std::vector<BudgetLayer> Layers(2);
  for (BudgetLayer &L : Layers)
    L.Options = {{2, 64, 8, 5.0}, {4, 64, 16, 1.0}};
  Layers[0].Name = "a";
  Layers[1].Name = "b";
  EXPECT_EQ(choose(Layers, 16), (std::vector<size_t>{0, 0}));
  std::vector<size_t> OneUp = choose(Layers, 24);
  ASSERT_EQ(OneUp.size(), 2u);
  EXPECT_EQ(OneUp[0] + OneUp[1], 1u);
  EXPECT_EQ(choose(Layers, 1000), (std::vector<size_t>{1, 1}));
  EXPECT_EQ(errorOf(Layers, 15),
            "budget: the smallest configuration of every layer needs 16 "
            "bits, over the budget of 15");
}

TEST(Budget, EqualCostPrefersLessStorage) {
  std::vector<BudgetLayer> Layers(1);
  Layers[0].Name = "a";
  Layers[0].Options = {{4, 64, 32, 1.0}, {3, 64, 24, 1.0}};
  EXPECT_EQ(choose(Layers, 64), (std::vector<size_t>{1}));
}

TEST(Budget, Errors) {
  std::vector<BudgetLayer> Layers(1);
  Layers[0].Name = "a";
  EXPECT_EQ(errorOf(Layers, 64), "budget: layer 'a' has no configuration");
  Layers[0].Options = {{2, 64, 8, std::nan("")}};
  EXPECT_EQ(errorOf(Layers, 64), "budget: layer 'a' W2 g64 has cost nan; "
                                 "costs must be finite and >= 0");
  Layers[0].Options = {{2, 64, 8, -1.0}};
  EXPECT_NE(errorOf(Layers, 64).find("has cost -1"), std::string::npos);
  // A front that outgrows its cap: distinct sizes double it per layer.
  std::vector<BudgetLayer> Wide(12);
  for (auto [I, L] : llvm::enumerate(Wide)) {
    L.Name = "w" + std::to_string(I);
    L.Options = {{2, 64, 0, 1.0 * (1 << I)}, {4, 64, uint64_t(1) << I, 0.0}};
  }
  EXPECT_NE(
      errorOf(Wide, 1 << 12, 100).find("needs more than 100 partial choices"),
      std::string::npos);
  EXPECT_EQ(errorOf(Wide, 1 << 12), "");
}

TEST(Budget, StorageBitsCountsPackingAndScales) {
  // 3-bit rows of 96 columns pack into getPackedRowBytes bytes; f16 s and z
  // per group of 32: 3 groups.
  uint64_t Q = 4 * uint64_t(getPackedRowBytes(96, 3)) * 8;
  EXPECT_EQ(getStorageBits(4, 96, 3, 32, ScaleType::F16), Q + 2 * 4 * 3 * 16);
  EXPECT_EQ(getStorageBits(4, 96, 3, 96, ScaleType::F32), Q + 2 * 4 * 1 * 32);
  EXPECT_EQ(getStorageBits(4, 96, 3, -1, ScaleType::BF16), Q + 2 * 4 * 1 * 16);
  // 2 bits: 4 per byte, exactly.
  EXPECT_EQ(getStorageBits(2, 64, 2, 64, ScaleType::F16),
            2 * 64 * 2 + 2 * 2 * 16);
}

} // namespace
