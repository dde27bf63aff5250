//===- ApplyLowering.cpp - the shared body of the kernel lowering passes -===//

#include "dq/Conversion/DQToLinalg/DQToLinalg.h"
#include "dq/Conversion/KernelCall/KernelCall.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::dq;

FailureOr<KernelLoweringCounts> mlir::dq::applyKernelLowering(
    ModuleOp module, function_ref<void(TypeConverter &)> addConversions,
    function_ref<void(const TypeConverter &, RewritePatternSet &)> addPatterns,
    function_ref<bool(Attribute)> isOwnConfig, StringRef unconvertible) {
  MLIRContext *ctx = module.getContext();
  // Weights in other layouts keep their type.
  TypeConverter converter;
  converter.addConversion([](Type type) { return type; });
  addConversions(converter);
  RewritePatternSet patterns(ctx);
  ConversionTarget target(*ctx);
  addPatterns(converter, patterns);
  populateDQWeightStructuralPatternsAndLegality(converter, patterns, target);
  KernelLoweringCounts counts;
  module.walk([&](MatmulOp op) {
    if (!converter.isLegal(op.getWeight().getType()))
      ++counts.Matmuls;
  });
  if (failed(
          reportUnconvertibleOps(module, converter, patterns, unconvertible)) ||
      failed(applyPartialConversion(module, target, std::move(patterns))))
    return failure();
  llvm::StringSet<> callees;
  module.walk([&](KernelOp op) {
    if (isOwnConfig(op.getConfig()))
      callees.insert(op.getCallee());
  });
  counts.Kernels = callees.size();
  return counts;
}
