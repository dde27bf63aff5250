//===- DQToQuant.h - dq weights <-> upstream quant types --------*- C++ -*-===//
//
// The rewrites behind --dq-export-quant and --dq-import-quant. A dq weight
// W = s * Q + z is a !quant.uniform sub-channel weight exactly when every
// offset is z = -zp * s (rounded once to the scale type) for an integer zp
// that the storage holds; docs/quant-interop.md states the rule.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_DQTOQUANT_DQTOQUANT_H
#define DQ_CONVERSION_DQTOQUANT_DQTOQUANT_H

#include "DQ/IR/DQOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::dq {

/// How --dq-export-quant stores the integer part.
struct DQToQuantOptions {
  /// False: the logical iB storage (zero points in the B-bit range). True:
  /// i8 storage with the B-bit storage range (zero points in [-128, 127]).
  bool wideStorage = false;
};

/// Exports `op` (a row_major dq.constant used only by dq.dequantize and
/// dq.matmul) to arith.constant + quant.scast, rewriting its users to
/// quant.dcast. When the weight is not representable, nothing changes and
/// `emitDiag`, if given, receives the reason (weight, row, group).
LogicalResult
exportWeightToQuant(RewriterBase &rewriter, ConstantOp op,
                    const DQToQuantOptions &options,
                    function_ref<InFlightDiagnostic()> emitDiag = nullptr);

/// A pattern applying exportWeightToQuant to every dq.constant it can.
void populateDQToQuantPatterns(RewritePatternSet &patterns,
                               const DQToQuantOptions &options = {});

/// Imports the constant weight behind `dcast` (a quant.dcast of a
/// quant.scast of an integer arith.constant) as dq.constant +
/// dq.dequantize with scales and offsets in `scaleType` (every quant.dcast
/// of that quant.scast becomes a dq.dequantize of one dq.constant). Returns
/// failure, through `emitDiag` when given, if the quantized type has no dq
/// equivalent or a scale is not exact in `scaleType`.
LogicalResult
importWeightFromQuant(RewriterBase &rewriter, Operation *dcast,
                      FloatType scaleType,
                      function_ref<InFlightDiagnostic()> emitDiag = nullptr);

/// True when `dcast` is a quant.dcast(quant.scast(arith.constant)) chain,
/// the pattern importWeightFromQuant reads.
bool isConstantQuantWeight(Operation *dcast);

/// Folds dq.dequantize feeding a transposed-B linalg.matmul that
/// accumulates into a zero fill into dq.matmul (activation, accumulator
/// and result of one float type).
void populateDQMatmulFromDequantizePatterns(RewritePatternSet &patterns);

/// Patterns for importWeightFromQuant (silent on failure).
void populateQuantToDQPatterns(RewritePatternSet &patterns,
                               FloatType scaleType);

} // namespace mlir::dq

#endif // DQ_CONVERSION_DQTOQUANT_DQTOQUANT_H
