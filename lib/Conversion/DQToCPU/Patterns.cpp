//===- Patterns.cpp - dq.matmul on n16k4 weights to CPU kernel calls ------===//

#include "dq/Conversion/DQToCPU/DQToCPU.h"

#include "Kernel.h"
#include "dq/Conversion/KernelCall/KernelCall.h"

using namespace mlir;
using namespace mlir::dq;

void mlir::dq::populateDQToCPUTypeConversion(TypeConverter &converter) {
  populateStoredWeightTypeConversion(
      converter, [](WeightLayoutAttrInterface layout) {
        return llvm::isa<dq_cpu::N16K4Attr>(layout);
      });
}

namespace {

struct CPUMatmulLowering : public MatmulToKernelPattern {
  CPUMatmulLowering(const TypeConverter &converter, MLIRContext *ctx,
                    const CPUKernelOptions &options)
      : MatmulToKernelPattern(converter, ctx), options(options),
        target(resolveCPUTarget(options.target)) {}

  FailureOr<MatmulKernelChoice>
  chooseKernel(MatmulOp op, ValueRange,
               ConversionPatternRewriter &rewriter) const override {
    auto weight = llvm::cast<WeightType>(op.getWeight().getType());
    if (!llvm::isa<dq_cpu::N16K4Attr>(weight.getLayout()))
      return rewriter.notifyMatchFailure(op, "not an n16k4 weight");
    KernelSpec spec;
    spec.weight = weight;
    spec.activationType = op.getInput().getType().getElementType();
    spec.target = target;
    spec.int8 = options.activations == ActivationsOption::Int8;
    spec.mBlock = options.mBlock;
    spec.parallel = options.parallel;
    if (spec.int8 && !dq_cpu::int8SumsFit(spec.geometry())) {
      op.emitRemark() << "group of " << weight.getGroup()
                      << " columns is too long for i32 sums of int8 "
                         "products; using the f32 route";
      spec.int8 = false;
    }
    // Options from another stack are checked here (the pass checks its own).
    dq_cpu::MatmulConfigAttr config =
        spec.getConfig([&] { return op.emitOpError(); });
    if (!config)
      return failure();
    N16K4Geometry geo = spec.geometry();
    return MatmulKernelChoice{spec.name(), config,
                              geo.numTiles() * N16K4Geometry::TileRows};
  }

  CPUKernelOptions options;
  CPUTarget target;
};

} // namespace

void mlir::dq::populateDQToCPUPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns,
                                       const CPUKernelOptions &options) {
  populateStoredWeightConstantPatterns(converter, patterns);
  patterns.add<CPUMatmulLowering>(converter, patterns.getContext(), options);
}
