//===- LowerMatmulCPU.cpp - --dq-lower-matmul-cpu, --dq-build-cpu-kernels -===//
//
// Thin drivers: --dq-lower-matmul-cpu runs the patterns of DQToCPU.h in a
// partial conversion (weights in other layouts and the other dq ops are
// left for --dq-lower-to-linalg); --dq-build-cpu-kernels writes the
// kernels of the bufferized dq.kernel ops and turns them into calls.
//
//===----------------------------------------------------------------------===//

#include "dq/Conversion/Passes.h"

#include "DQ/IR/DQOps.h"
#include "Kernel.h"
#include "dq/Conversion/DQToCPU/DQToCPU.h"
#include "dq/Conversion/DQToLinalg/DQToLinalg.h"
#include "dq/Conversion/KernelCall/KernelCall.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQLOWERMATMULCPU
#define GEN_PASS_DEF_DQBUILDCPUKERNELS
#include "dq/Conversion/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;

LogicalResult mlir::dq::buildCPUKernels(ModuleOp module, unsigned *numBuilt) {
  SmallVector<KernelOp> kernels;
  module.walk([&](KernelOp op) {
    if (llvm::isa<dq_cpu::MatmulConfigAttr>(op.getConfig()))
      kernels.push_back(op);
  });
  SymbolTable symbols(module);
  // Callee -> the name of the code built for it.
  llvm::StringMap<std::string> built;
  OpBuilder moduleBuilder = OpBuilder::atBlockEnd(module.getBody());
  IRRewriter rewriter(module.getContext());
  for (KernelOp op : kernels) {
    auto config = llvm::cast<dq_cpu::MatmulConfigAttr>(op.getConfig());
    Type act =
        llvm::cast<ShapedType>(op.getInputs()[0].getType()).getElementType();
    KernelSpec spec = KernelSpec::get(config, act);
    StringRef name = op.getCallee();
    auto [it, first] = built.try_emplace(name, spec.name());
    if (first && symbols.lookup(name))
      return op.emitOpError()
             << "calls @" << name
             << ", which the module already defines; kernel functions are "
                "generated";
    if (!first && it->second != spec.name())
      return op.emitOpError() << "calls @" << name
                              << " with another configuration or activation "
                                 "type than an earlier dq.kernel";
    if (first) {
      // Checked here, not in the loop: a malformed op must not leave a
      // kernel behind.
      if (!op.hasPureBufferSemantics())
        return op.emitOpError()
               << "must be bufferized before it becomes a call";
      symbols.insert(buildKernel(moduleBuilder, module.getLoc(), name, spec));
      if (numBuilt)
        ++*numBuilt;
    }
    if (failed(lowerKernelToCall(rewriter, op,
                                 symbols.lookup<func::FuncOp>(name))))
      return failure();
  }
  return success();
}

namespace {

struct DQLowerMatmulCPUPass
    : public mlir::dq::impl::DQLowerMatmulCPUBase<DQLowerMatmulCPUPass> {
  using DQLowerMatmulCPUBase::DQLowerMatmulCPUBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!llvm::is_contained({1u, 2u, 4u, 8u}, unsigned(mBlock))) {
      module.emitError() << "--dq-lower-matmul-cpu: m-block must be 1, 2, 4 "
                            "or 8, got "
                         << unsigned(mBlock);
      return signalPassFailure();
    }
    CPUKernelOptions options;
    options.target = target;
    options.activations = activations;
    options.mBlock = mBlock;
    options.parallel = parallel;
    FailureOr<KernelLoweringCounts> counts = applyKernelLowering(
        module, populateDQToCPUTypeConversion,
        [&](const TypeConverter &converter, RewritePatternSet &patterns) {
          populateDQToCPUPatterns(converter, patterns, options);
        },
        [](Attribute config) {
          return llvm::isa<dq_cpu::MatmulConfigAttr>(config);
        },
        "uses an n16k4 weight in a way --dq-lower-matmul-cpu cannot lower; "
        "such weights may only reach dq.matmul, function arguments and "
        "results, func.call, scf control flow and cf branches");
    if (failed(counts))
      return signalPassFailure();
    numLowered += counts->Matmuls;
    numKernels = counts->Kernels;
  }
};

struct DQBuildCPUKernelsPass
    : public mlir::dq::impl::DQBuildCPUKernelsBase<DQBuildCPUKernelsPass> {
  void runOnOperation() override {
    unsigned built = 0;
    if (failed(buildCPUKernels(getOperation(), &built)))
      signalPassFailure();
    numBuilt += built;
  }
};

} // namespace
