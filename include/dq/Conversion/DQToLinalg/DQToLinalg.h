//===- DQToLinalg.h - the portable lowering as patterns ---------*- C++ -*-===//
//
// The conversion behind --dq-lower-to-linalg, for stacks that run their own
// dialect conversion (IREE-style input pipelines): a type conversion that
// splits a !dq.weight into three tensors and patterns for the dq ops. Add
// them to the stack's TypeConverter and RewritePatternSet, mark the dq
// dialect illegal, and let the stack's structural patterns (func, scf, cf)
// carry the weights across block arguments, calls and regions.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_DQTOLINALG_DQTOLINALG_H
#define DQ_CONVERSION_DQTOLINALG_DQTOLINALG_H

#include "DQ/IR/DQTypes.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::dq {

/// The tensor that carries the integer part Q of a lowered `type`: the
/// logical tensor<N x K x iB> at 2, 4 and 8 bits; at 3 bits the same values
/// sign-extended to i8, because stacks such as IREE reject buffers of i3
/// (dq.split narrows them back to i3 for its user).
RankedTensorType getLoweredIntTensorType(WeightType type);

/// Adds the 1:N conversion of a row_major !dq.weight to (Q, scale, offset):
/// getLoweredIntTensorType and twice tensor<N x K/group x F>. Weights in
/// other layouts are left to the converter's other rules.
void populateDQToLinalgTypeConversion(TypeConverter &converter);

/// A converter that keeps every other type and converts weights as above.
class DQToLinalgTypeConverter : public TypeConverter {
public:
  DQToLinalgTypeConverter();
};

/// Conversion patterns for dq.constant (row_major), dq.build, dq.split,
/// dq.dequantize and dq.matmul into linalg/tensor/arith ops.
void populateDQToLinalgPatterns(const TypeConverter &converter,
                                RewritePatternSet &patterns);

/// The structural patterns that move the weights `converter` converts
/// through func.func signatures (all blocks), func.call, func.return, scf
/// regions and cf branches, and the matching legality: an op is legal once
/// none of its types is one that `converter` changes. The kernel lowerings
/// (CPU, CUDA), which convert only the weights in their layouts, use these
/// as they are.
void populateDQWeightStructuralPatternsAndLegality(
    const TypeConverter &converter, RewritePatternSet &patterns,
    ConversionTarget &target);

/// The structural patterns and legality --dq-lower-to-linalg uses: those
/// above, with the dq dialect illegal but for dq.kernel (which the kernel
/// lowerings leave).
void populateDQToLinalgStructuralPatternsAndLegality(
    const TypeConverter &converter, RewritePatternSet &patterns,
    ConversionTarget &target);

/// Emits `message` as an error on every op under `root` whose types
/// (operands, results, signature, block arguments) hold a type that
/// `converter` changes and that no pattern of `patterns` may rewrite, so
/// that a conversion never stops half-way on an op it cannot lower.
LogicalResult reportUnconvertibleOps(Operation *root,
                                     const TypeConverter &converter,
                                     RewritePatternSet &patterns,
                                     StringRef message);

} // namespace mlir::dq

#endif // DQ_CONVERSION_DQTOLINALG_DQTOLINALG_H
