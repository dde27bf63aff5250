//===- DecoupleQ.h - decoupleQ's own options --------------------*- C++ -*-===//

#ifndef DQ_QUANT_METHODS_DECOUPLEQ_H
#define DQ_QUANT_METHODS_DECOUPLEQ_H

#include "dq/Quant/Steps.h"

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace dq {

/// decoupleQ's integer step with (s, z) fixed: GPTQ rounding with static
/// groups in act-order, projected gradient ("first-level approximation"), or
/// FlexRound's learned element-wise division.
enum class IntStepKind { GPTQ, PGD, FlexRound };
llvm::StringRef getIntStepName(IntStepKind K);
std::optional<IntStepKind> parseIntStep(llvm::StringRef Name);

/// QuantOptions::MethodOptions of "decoupleq".
struct DecoupleQOptions {
  /// Outer iterations (the first is the RTN/GPTQ initialisation).
  unsigned Iters = 4;
  IntStepKind IntStep = IntStepKind::GPTQ;
  /// Stop when fewer than this fraction of rows improved.
  double EarlyStopFraction = 1e-4;
  /// From the second iteration on, work only on the rows that improved in
  /// the previous one: the others would repeat rejected candidates, so the
  /// result is the same either way (tested); false works on every row.
  bool SkipUnimproved = true;
  /// Refinement rounds after the alternation (docs/quantization.md): the
  /// integer step becomes coordinate descent from each row's best integers,
  /// CdSweeps passes over the columns; then the float step. Each round
  /// works on the rows that improved in the previous one and stops early
  /// like the alternation. CdSweeps = 0 or RefineIters = 0: no refinement
  /// (the reference's loop).
  unsigned RefineIters = 1;
  unsigned CdSweeps = 2;
  /// Every second refinement round starts the descent from a new integer
  /// step (int-step) with the row's best (s, z) rather than from its best
  /// integers; every row is worked on in every round.
  bool RefineRestart = false;
  /// The PGD integer step's knobs.
  PgdOptions Pgd;
  /// The FlexRound integer step's knobs.
  FlexRoundOptions FlexRound;
};

} // namespace dq

#endif // DQ_QUANT_METHODS_DECOUPLEQ_H
