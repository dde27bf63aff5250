//===- Budget.h - Per-layer configurations under a size budget --*- C++ -*-===//
//
// Mixed precision: every layer can be stored in one of several
// configurations (bit width and group size), each with a storage size and a
// cost (an error measure). chooseUnderBudget picks one configuration per
// layer so that the summed cost is smallest while the summed storage stays
// within a budget: a multiple-choice knapsack, solved exactly.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_QUANT_BUDGET_H
#define DQ_QUANT_BUDGET_H

#include "dq/Quant/Quantize.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dq {

/// One way to store a layer.
struct BudgetOption {
  unsigned Bits = 0;
  /// Effective group size (K for per-channel).
  int64_t GroupSize = 0;
  /// Bits of the packed Q plus the scales and offsets.
  uint64_t StorageBits = 0;
  /// What the choice minimises the sum of; finite and >= 0.
  double Cost = 0;
};

struct BudgetLayer {
  std::string Name;
  std::vector<BudgetOption> Options;
};

/// Bits that a Rows x Cols layer takes when stored with Bits-bit integers
/// (packed per row, as the dq weight type packs them) and one scale and one
/// offset of type Scale per row and group.
uint64_t getStorageBits(int64_t Rows, int64_t Cols, unsigned Bits,
                        int64_t GroupSize, ScaleType Scale);

/// The index of the chosen option of every layer: the choice with the least
/// summed Cost among those whose summed StorageBits is at most BudgetBits
/// (among equal costs, the one with fewer bits). Exact: a dynamic program
/// over the Pareto front of (storage, cost) pairs of the layers so far, a
/// pair kept only if no other pair has both less or equal storage and a
/// lower cost. Errors: a layer without options, a cost that is negative or
/// not finite, a budget below the smallest storage the layers can have, or
/// a front that grows past MaxFrontSize pairs (memory).
llvm::Expected<std::vector<size_t>>
chooseUnderBudget(llvm::ArrayRef<BudgetLayer> Layers, uint64_t BudgetBits,
                  size_t MaxFrontSize = size_t(1) << 24);

} // namespace dq

#endif // DQ_QUANT_BUDGET_H
