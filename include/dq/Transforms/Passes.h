//===- Passes.h - dq transformation passes ----------------------*- C++ -*-===//

#ifndef DQ_TRANSFORMS_PASSES_H
#define DQ_TRANSFORMS_PASSES_H

#include "DQ/IR/DQDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#define DQ_BUDGET_COST_VALUES                                                  \
  ::llvm::cl::values(                                                          \
      clEnumValN(::mlir::dq::BudgetCost::Output, "output",                     \
                 "the squared error added to the layer's outputs"),            \
      clEnumValN(::mlir::dq::BudgetCost::Relative, "relative",                 \
                 "that error relative to the outputs' energy"))

namespace mlir::dq {

/// What `--dq-quantize`'s `budget=` minimises the sum of, over the layers.
enum class BudgetCost {
  /// Σ (ŵ - w)ᵀH(ŵ - w): the squared error the layer adds to its outputs,
  /// per calibration token.
  Output,
  /// That error over Σ wᵀHw: every layer weighs the same.
  Relative,
};

#define GEN_PASS_DECL
#include "dq/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dq/Transforms/Passes.h.inc"

} // namespace mlir::dq

#endif // DQ_TRANSFORMS_PASSES_H
