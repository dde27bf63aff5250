//===- Patterns.cpp - dq.matmul on gpu_chunked weights to CUDA calls ------===//

#include "dq/Conversion/DQToGPU/DQToCUDA.h"

#include "CUDAKernel.h"
#include "dq/Conversion/KernelCall/KernelCall.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

using namespace mlir;
using namespace mlir::dq;

void mlir::dq::populateDQToCUDATypeConversion(TypeConverter &converter) {
  populateStoredWeightTypeConversion(
      converter, [](WeightLayoutAttrInterface layout) {
        return llvm::isa<dq_gpu::ChunkedAttr>(layout);
      });
}

namespace {

/// Names of host functions, shared by the matmuls of one conversion: one
/// per constant weight and kernel (it caches that weight's device copy),
/// one per kernel for the weights that are not constants.
struct HostNames {
  llvm::StringMap<std::string> byKey;
  unsigned counter = 0;

  /// The name for `key`; a new one avoids the symbols of `module`.
  std::string get(StringRef key, ModuleOp module) {
    auto [it, inserted] = byKey.try_emplace(key);
    if (inserted)
      do {
        it->second = "__dq_cuda_matmul_" + std::to_string(counter++);
      } while (module && module.lookupSymbol(it->second));
    return it->second;
  }
};

/// The blobs of a weight whose parts are constants, or none.
std::optional<SmallVector<Attribute, 3>> getConstantParts(ValueRange parts) {
  SmallVector<Attribute, 3> blobs;
  for (Value part : parts) {
    auto constant = part.getDefiningOp<arith::ConstantOp>();
    if (!constant)
      return std::nullopt;
    blobs.push_back(constant.getValue());
  }
  return blobs;
}

struct CUDAMatmulLowering : public MatmulToKernelPattern {
  CUDAMatmulLowering(const TypeConverter &converter, MLIRContext *ctx,
                     const CUDAKernelOptions &options,
                     std::shared_ptr<HostNames> names)
      : MatmulToKernelPattern(converter, ctx), options(options),
        names(std::move(names)) {}

  FailureOr<MatmulKernelChoice>
  chooseKernel(MatmulOp op, ValueRange parts,
               ConversionPatternRewriter &rewriter) const override {
    auto weight = llvm::cast<WeightType>(op.getWeight().getType());
    if (!llvm::isa<dq_gpu::ChunkedAttr>(weight.getLayout()))
      return rewriter.notifyMatchFailure(op, "not a gpu_chunked weight");
    CUDAMatmulSpec spec = makeSpec(op, weight);
    std::optional<SmallVector<Attribute, 3>> blobs = getConstantParts(parts);
    spec.cacheWeight = blobs.has_value();
    std::string key;
    llvm::raw_string_ostream os(key);
    os << spec.kernelName();
    if (blobs)
      for (Attribute blob : *blobs)
        os << "/" << blob.getAsOpaquePointer();
    // Options from another stack are checked here (the pass checks its own).
    dq_gpu::MatmulConfigAttr config =
        spec.getConfig([&] { return op.emitOpError(); });
    if (!config)
      return failure();
    std::string name = names->get(key, op->getParentOfType<ModuleOp>());
    return MatmulKernelChoice{name, config, weight.getRows()};
  }

  /// The route follows the static activation row count.
  CUDAMatmulSpec makeSpec(MatmulOp op, WeightType weight) const {
    CUDAMatmulSpec spec;
    spec.weight = weight;
    auto inputType = llvm::cast<RankedTensorType>(op.getInput().getType());
    spec.activationType = inputType.getElementType();
    int64_t m = 1;
    bool staticM = true;
    for (int64_t d : inputType.getShape().drop_back()) {
      if (ShapedType::isDynamic(d))
        staticM = false;
      else
        m *= d;
    }
    spec.rowsPerWarp = options.rowsPerWarp;
    spec.warps = options.warps;
    spec.tileM = options.tileM;
    spec.tileN = options.tileN;
    spec.poison = options.poison;
    spec.repeat = options.repeat;
    if (staticM && m <= int64_t(options.gemvMaxM)) {
      spec.route = CUDARoute::GEMV;
      spec.mBlock = std::max<int64_t>(m, 1);
    } else if (spec.activationType.isF32()) {
      // No f32 tensor-core route: the gemv kernel in blocks of rows.
      spec.route = CUDARoute::GEMV;
      spec.mBlock = std::max(1u, options.gemvMaxM);
    } else {
      spec.route = CUDARoute::GEMM;
      spec.mBlock = 1;
    }
    return spec;
  }

  CUDAKernelOptions options;
  std::shared_ptr<HostNames> names;
};

} // namespace

void mlir::dq::populateDQToCUDAPatterns(const TypeConverter &converter,
                                        RewritePatternSet &patterns,
                                        const CUDAKernelOptions &options) {
  populateStoredWeightConstantPatterns(converter, patterns);
  patterns.add<CUDAMatmulLowering>(converter, patterns.getContext(), options,
                                   std::make_shared<HostNames>());
}
