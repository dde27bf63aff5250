//===- KernelCall.h - what every kernel backend shares ----------*- C++ -*-===//
//
// A backend that computes dq.matmul with generated kernels (the CPU and
// CUDA lowerings) converts the weights in its layouts to their stored parts,
// replaces each matmul by a dq.kernel carrying its typed configuration, and,
// after bufferization, writes the kernel functions and turns the dq.kernel
// ops into calls. This header holds the pieces that do not depend on the
// backend, so that each exists once:
//
//   - the 1:N conversion of a weight to its stored parts and the lowering of
//     such a dq.constant to three arith.constant;
//   - the tensor-level call site (activations as a matrix, the output
//     tensor, the dq.kernel, the slice and reshape back);
//   - the bufferization of dq.kernel (BufferizableOpInterface);
//   - the lowering of a bufferized dq.kernel to a func.call;
//   - the body of the lowering passes (applyKernelLowering).
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_KERNELCALL_KERNELCALL_H
#define DQ_CONVERSION_KERNELCALL_KERNELCALL_H

#include "DQ/IR/DQOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

#include <functional>
#include <string>

namespace mlir::dq {

/// Adds the 1:N conversion of a !dq.weight whose layout `accepts` to its
/// stored parts: the packed integer part, the stored scale and the stored
/// offset (the layout's getPackedType and, twice, getStoredScaleType).
/// Weights in other layouts are left to the converter's other rules.
void populateStoredWeightTypeConversion(
    TypeConverter &converter,
    std::function<bool(WeightLayoutAttrInterface)> accepts);

/// dq.constant in a layout that `converter` turns into stored parts becomes
/// three arith.constant of its blobs (an unused one is erased).
void populateStoredWeightConstantPatterns(const TypeConverter &converter,
                                          RewritePatternSet &patterns);

/// What a backend chose for one dq.matmul.
struct MatmulKernelChoice {
  /// The kernel function the dq.kernel will call.
  std::string callee;
  KernelConfigAttrInterface config;
  /// Columns of the kernel's output: N, or N rounded up to the layout's
  /// tile (the call site slices the first N).
  int64_t outputCols;
};

/// Lowers a dq.matmul whose weight converted to stored parts to the
/// tensor-level call site of a kernel that the backend chooses.
class MatmulToKernelPattern : public OpConversionPattern<MatmulOp> {
public:
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatmulOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const final;

protected:
  /// The kernel for `op`, whose weight converted to `storedParts` (packed,
  /// scale, offset); failure leaves `op` to other patterns.
  virtual FailureOr<MatmulKernelChoice>
  chooseKernel(MatmulOp op, ValueRange storedParts,
               ConversionPatternRewriter &rewriter) const = 0;
};

/// The tensor-level call site of a matmul kernel: `input` (rank >= 1) is
/// collapsed to [M, K]; the dq.kernel reads it and the stored parts and
/// writes a new [M, outputCols] tensor, whose first N columns are reshaped
/// to `resultType` (leading dimensions of `input`, then N). `layer`, when
/// given, names the call (`dq.layer`) for profiles and remarks.
Value buildMatmulKernelCall(OpBuilder &b, Location loc, StringRef callee,
                            KernelConfigAttrInterface config, Value input,
                            ValueRange storedParts, int64_t outputCols,
                            RankedTensorType resultType, StringAttr layer = {});

/// Replaces a bufferized dq.kernel by a func.call of `callee`. Each operand
/// is passed as the callee's argument type: as it is, through memref.cast
/// where the cast cannot fail at run time, or else through a copy into a
/// new buffer (an output is copied back after the call). Fails with an
/// error on `op` when the callee cannot take the operands.
LogicalResult lowerKernelToCall(RewriterBase &rewriter, KernelOp op,
                                func::FuncOp callee);

/// What applyKernelLowering did: the dq.matmul ops whose weights it
/// converted, and the distinct kernels (callees) of its backend afterwards.
struct KernelLoweringCounts {
  unsigned Matmuls = 0, Kernels = 0;
};

/// The body of a kernel lowering pass: converts the weights of one backend's
/// layouts in `module`, with the types `addConversions` adds (every other
/// type is kept) and the patterns `addPatterns` adds, dq's structural
/// patterns carrying the weights across functions and regions. An op that
/// would keep such a weight gets `unconvertible` as its error before
/// anything changes (reportUnconvertibleOps). `isOwnConfig` tells the
/// backend's dq.kernel configs from others'.
FailureOr<KernelLoweringCounts> applyKernelLowering(
    ModuleOp module, function_ref<void(TypeConverter &)> addConversions,
    function_ref<void(const TypeConverter &, RewritePatternSet &)> addPatterns,
    function_ref<bool(Attribute)> isOwnConfig, StringRef unconvertible);

/// Attaches BufferizableOpInterface to dq.kernel: inputs are read, outputs
/// written in full and returned in place (destination-passing style).
void registerKernelBufferizationModel(DialectRegistry &registry);

} // namespace mlir::dq

#endif // DQ_CONVERSION_KERNELCALL_KERNELCALL_H
