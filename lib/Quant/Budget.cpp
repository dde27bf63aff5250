//===- Budget.cpp - Per-layer configurations under a size budget ----------===//

#include "dq/Quant/Budget.h"
#include "dq/Support/Packing.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace dq {

uint64_t getStorageBits(int64_t Rows, int64_t Cols, unsigned Bits,
                        int64_t GroupSize, ScaleType Scale) {
  int64_t Groups = GroupSize <= 0 ? 1 : Cols / GroupSize;
  uint64_t ScaleBits = Scale == ScaleType::F32 ? 32 : 16;
  return uint64_t(Rows) * uint64_t(getPackedRowBytes(Cols, Bits)) * 8 +
         2 * uint64_t(Rows) * uint64_t(Groups) * ScaleBits;
}

namespace {

/// A pair of the Pareto front after some layers: their summed storage and
/// cost, and how it was reached (the previous front's pair and the option).
struct FrontPair {
  uint64_t Bits;
  double Cost;
};
struct Step {
  uint32_t Parent;
  uint32_t Option;
};

/// Keeps the pairs that no other pair dominates; Sorted is ordered by
/// storage, then cost.
void keepPareto(std::vector<FrontPair> &Sorted, std::vector<Step> &Steps) {
  size_t Kept = 0;
  for (size_t I = 0; I < Sorted.size(); ++I) {
    if (Kept && Sorted[I].Cost >= Sorted[Kept - 1].Cost)
      continue;
    Sorted[Kept] = Sorted[I];
    Steps[Kept] = Steps[I];
    ++Kept;
  }
  Sorted.resize(Kept);
  Steps.resize(Kept);
}

} // namespace

Expected<std::vector<size_t>> chooseUnderBudget(ArrayRef<BudgetLayer> Layers,
                                                uint64_t BudgetBits,
                                                size_t MaxFrontSize) {
  // The least storage the layers from I on can have, to drop early the
  // pairs that cannot be completed within the budget.
  std::vector<uint64_t> MinAfter(Layers.size() + 1, 0);
  for (size_t I = Layers.size(); I-- > 0;) {
    const BudgetLayer &L = Layers[I];
    if (L.Options.empty())
      return createStringError("budget: layer '%s' has no configuration",
                               L.Name.c_str());
    uint64_t Least = UINT64_MAX;
    for (const BudgetOption &O : L.Options) {
      if (!std::isfinite(O.Cost) || O.Cost < 0)
        return createStringError(
            formatv("budget: layer '{0}' W{1} g{2} has cost {3}; costs must "
                    "be finite and >= 0",
                    L.Name, O.Bits, O.GroupSize, O.Cost)
                .str());
      Least = std::min(Least, O.StorageBits);
    }
    MinAfter[I] = MinAfter[I + 1] + Least;
  }
  if (MinAfter[0] > BudgetBits)
    return createStringError(
        formatv("budget: the smallest configuration of every layer needs {0} "
                "bits, over the budget of {1}",
                MinAfter[0], BudgetBits)
            .str());

  std::vector<FrontPair> Front = {{0, 0.0}};
  std::vector<std::vector<Step>> Steps(Layers.size());
  std::vector<FrontPair> Next, Merged;
  std::vector<Step> NextSteps, MergedSteps;
  for (size_t I = 0; I < Layers.size(); ++I) {
    uint64_t Limit = BudgetBits - MinAfter[I + 1];
    Next.clear();
    NextSteps.clear();
    // The front shifted by one option stays sorted by storage: merge the
    // shifted fronts one option at a time, pruning as we go.
    for (auto [J, O] : llvm::enumerate(Layers[I].Options)) {
      Merged.clear();
      MergedSteps.clear();
      size_t A = 0, B = 0;
      auto TakeShifted = [&] {
        Merged.push_back(
            {Front[B].Bits + O.StorageBits, Front[B].Cost + O.Cost});
        MergedSteps.push_back({uint32_t(B), uint32_t(J)});
        ++B;
      };
      auto Fits = [&](size_t Idx) {
        return Idx < Front.size() && Front[Idx].Bits + O.StorageBits <= Limit;
      };
      while (A < Next.size() || Fits(B)) {
        bool Shifted =
            Fits(B) &&
            (A == Next.size() || Front[B].Bits + O.StorageBits < Next[A].Bits ||
             (Front[B].Bits + O.StorageBits == Next[A].Bits &&
              Front[B].Cost + O.Cost < Next[A].Cost));
        if (Shifted) {
          TakeShifted();
        } else {
          Merged.push_back(Next[A]);
          MergedSteps.push_back(NextSteps[A]);
          ++A;
        }
      }
      keepPareto(Merged, MergedSteps);
      std::swap(Next, Merged);
      std::swap(NextSteps, MergedSteps);
    }
    if (Next.size() > MaxFrontSize)
      return createStringError(
          formatv("budget: the exact solution needs more than {0} partial "
                  "choices after layer '{1}' (too many distinct sizes); "
                  "offer fewer configurations",
                  MaxFrontSize, Layers[I].Name)
              .str());
    std::swap(Front, Next);
    Steps[I] = NextSteps;
  }
  // Costs fall as storage grows along the front: its last pair is cheapest.
  std::vector<size_t> Chosen(Layers.size());
  uint32_t At = uint32_t(Front.size() - 1);
  for (size_t I = Layers.size(); I-- > 0;) {
    Chosen[I] = Steps[I][At].Option;
    At = Steps[I][At].Parent;
  }
  return Chosen;
}

} // namespace dq
