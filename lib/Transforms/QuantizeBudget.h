//===- QuantizeBudget.h - --dq-quantize's budget= ---------------*- C++ -*-===//
//
// Mixed precision for --dq-quantize: measures every layer's error in each
// candidate configuration (bit width x group size), then chooses one per
// layer under a bits-per-weight budget (dq/Quant/Budget.h), prints the
// choice as a table and writes it as JSON.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_LIB_TRANSFORMS_QUANTIZEBUDGET_H
#define DQ_LIB_TRANSFORMS_QUANTIZEBUDGET_H

#include "dq/Quant/Matrix.h"
#include "dq/Quant/Quantize.h"
#include "dq/Transforms/Passes.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir::dq {

struct BudgetRequest {
  /// Bits per weight for the layers together, scales and offsets counted.
  double BitsPerWeight = 0;
  std::vector<unsigned> Bits;
  /// -1 is per-channel.
  std::vector<int64_t> GroupSizes;
  BudgetCost Cost = BudgetCost::Output;
  /// The pass's own bits= and group-size=: the uniform configuration the
  /// choice is compared with in the report.
  unsigned UniformBits = 2;
  int64_t UniformGroupSize = -1;
  /// JSON file for the choice; empty for none.
  std::string ReportPath;
  /// An earlier report whose errors are reused; empty for none.
  std::string CostsPath;
  /// JSON object of layer name -> weight: each layer's cost is its error
  /// times its weight (a model-level sensitivity); empty: every weight 1.
  std::string WeightsPath;
  bool Quiet = false;
};

/// One layer the budget covers.
struct BudgetItem {
  std::string Name;
  int64_t Rows = 0, Cols = 0;
  /// The layer's settings; the choice overwrites Bits and GroupSize.
  ::dq::QuantOptions Options;
  /// Its configuration is fixed (a layer-bits or layer-group-size override):
  /// it only takes its share of the budget.
  bool Pinned = false;
};

/// Loads layer I's float64 weight [Rows, Cols] and Hessian [Cols, Cols].
using LoadLayer =
    llvm::function_ref<llvm::Error(size_t I, ::dq::Matrix &W, ::dq::Matrix &H)>;

/// Measures, chooses and reports; on success every item's Options hold its
/// chosen bits and group size. Errors: no candidate configuration fits a
/// layer, a candidate fails to quantize, the budget is infeasible, the
/// costs file is unreadable or of another cost measure, the report cannot
/// be written.
llvm::Error chooseUnderBudget(llvm::MutableArrayRef<BudgetItem> Items,
                              const BudgetRequest &Request, LoadLayer Load);

} // namespace mlir::dq

#endif // DQ_LIB_TRANSFORMS_QUANTIZEBUDGET_H
