//===- LowerMatmulCUDA.cpp - --dq-lower-matmul-cuda and friends -----------===//
//
// Thin drivers: --dq-lower-matmul-cuda runs the patterns of DQToCUDA.h in a
// partial conversion; --dq-build-cuda-kernels writes the host functions and
// kernels of the bufferized dq.kernel ops and turns them into calls. And
// the CUDA toolkit check.
//
//===----------------------------------------------------------------------===//

#include "dq/Conversion/CUDAToolkit.h"
#include "dq/Conversion/Passes.h"

#include "CUDAKernel.h"
#include "DQ/IR/DQOps.h"
#include "dq/Conversion/DQToGPU/DQToCUDA.h"
#include "dq/Conversion/DQToLinalg/DQToLinalg.h"
#include "dq/Conversion/KernelCall/KernelCall.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQLOWERMATMULCUDA
#define GEN_PASS_DEF_DQBUILDCUDAKERNELS
#define GEN_PASS_DEF_DQCHECKCUDATOOLKIT
#include "dq/Conversion/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;

static bool isSupportedChip(StringRef chip) {
  return llvm::is_contained(
      {"sm_80", "sm_86", "sm_87", "sm_89", "sm_90", "sm_90a"}, chip);
}

LogicalResult mlir::dq::buildCUDAKernels(ModuleOp module,
                                         const CUDATargetOptions &target,
                                         unsigned *numBuilt,
                                         unsigned *numKernels) {
  if (!isSupportedChip(target.chip))
    return module.emitError()
           << "--dq-build-cuda-kernels: unsupported chip '" << target.chip
           << "'; the kernels need mma.sync with bf16 (sm_80 or newer): "
              "expected sm_80, sm_86, sm_87, sm_89, sm_90 or sm_90a";
  SmallVector<KernelOp> ops;
  module.walk([&](KernelOp op) {
    if (llvm::isa<dq_gpu::MatmulConfigAttr>(op.getConfig()))
      ops.push_back(op);
  });
  if (ops.empty())
    return success();

  MLIRContext *ctx = module.getContext();
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(kCUDAKernelModuleName);
  if (!kernels) {
    auto nvvm =
        NVVM::NVVMTargetAttr::get(ctx, target.optLevel, "nvptx64-nvidia-cuda",
                                  target.chip, target.features);
    kernels = gpu::GPUModuleOp::create(
        b, module.getLoc(), kCUDAKernelModuleName, b.getArrayAttr({nvvm}));
  }
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(ctx));
  size_t kernelsBefore = llvm::range_size(kernels.getOps<gpu::GPUFuncOp>());
  // Host functions go before the kernels' module.
  b.setInsertionPoint(kernels);
  SymbolTable symbols(module);
  // Callee -> the code built for it.
  llvm::StringMap<std::string> built;
  IRRewriter rewriter(ctx);
  for (KernelOp op : ops) {
    auto config = llvm::cast<dq_gpu::MatmulConfigAttr>(op.getConfig());
    Type act =
        llvm::cast<ShapedType>(op.getInputs()[0].getType()).getElementType();
    CUDAMatmulSpec spec = CUDAMatmulSpec::get(config, act);
    std::string code = spec.kernelName() + (spec.cacheWeight ? "" : "_copy");
    StringRef name = op.getCallee();
    auto [it, first] = built.try_emplace(name, code);
    if (first && symbols.lookup(name))
      return op.emitOpError()
             << "calls @" << name
             << ", which the module already defines; host functions are "
                "generated";
    if (!first && it->second != code)
      return op.emitOpError() << "calls @" << name
                              << " with another configuration or activation "
                                 "type than an earlier dq.kernel";
    if (first) {
      if (!op.hasPureBufferSemantics())
        return op.emitOpError()
               << "must be bufferized before it becomes a call";
      symbols.insert(
          buildCUDAMatmulHost(b, module.getLoc(), name, spec, kernels));
      if (numBuilt)
        ++*numBuilt;
    }
    if (failed(lowerKernelToCall(rewriter, op,
                                 symbols.lookup<func::FuncOp>(name))))
      return failure();
  }
  if (numKernels)
    *numKernels +=
        llvm::range_size(kernels.getOps<gpu::GPUFuncOp>()) - kernelsBefore;
  return success();
}

namespace {

struct DQLowerMatmulCUDAPass
    : public mlir::dq::impl::DQLowerMatmulCUDABase<DQLowerMatmulCUDAPass> {
  using DQLowerMatmulCUDABase::DQLowerMatmulCUDABase;

  LogicalResult validateOptions() {
    ModuleOp module = getOperation();
    auto bad = [&]() {
      return module.emitError() << "--dq-lower-matmul-cuda: ";
    };
    if (gemvMaxM > 8)
      return bad() << "gemv-max-m must be 0 to 8, got " << unsigned(gemvMaxM);
    if (rowsPerWarp < 1 || rowsPerWarp > 8)
      return bad() << "rows-per-warp must be 1 to 8, got "
                   << unsigned(rowsPerWarp);
    if (warps < 1 || warps > 32)
      return bad() << "warps must be 1 to 32, got " << unsigned(warps);
    if (!llvm::is_contained({32u, 64u, 128u}, unsigned(tileM)))
      return bad() << "tile-m must be 32, 64 or 128, got " << unsigned(tileM);
    if (!llvm::is_contained({16u, 32u, 64u, 128u}, unsigned(tileN)))
      return bad() << "tile-n must be 16, 32, 64 or 128, got "
                   << unsigned(tileN);
    if (repeat < 1)
      return bad() << "repeat must be at least 1";
    return success();
  }

  /// Every matmul runs on the GPU: its weight must be in gpu_chunked.
  LogicalResult checkLayouts() {
    WalkResult result = getOperation().walk([&](MatmulOp op) {
      auto weight = llvm::cast<WeightType>(op.getWeight().getType());
      if (llvm::isa<dq_gpu::ChunkedAttr>(weight.getLayout()))
        return WalkResult::advance();
      op.emitOpError() << "has a weight in the "
                       << weight.getLayout().getLayoutName()
                       << " layout; the CUDA kernels read gpu_chunked "
                          "(--dq-pack-weights=layout=gpu_chunked repacks "
                          "constants used only by dq.matmul)";
      return WalkResult::interrupt();
    });
    return failure(result.wasInterrupted());
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(validateOptions()) || failed(checkLayouts()))
      return signalPassFailure();
    CUDAKernelOptions options;
    options.gemvMaxM = gemvMaxM;
    options.rowsPerWarp = rowsPerWarp;
    options.warps = warps;
    options.tileM = tileM;
    options.tileN = tileN;
    options.poison = poison;
    options.repeat = repeat;

    FailureOr<KernelLoweringCounts> counts = applyKernelLowering(
        module, populateDQToCUDATypeConversion,
        [&](const TypeConverter &converter, RewritePatternSet &patterns) {
          populateDQToCUDAPatterns(converter, patterns, options);
        },
        [](Attribute config) {
          return llvm::isa<dq_gpu::MatmulConfigAttr>(config);
        },
        "uses a gpu_chunked weight in a way --dq-lower-matmul-cuda cannot "
        "lower; such weights may only reach dq.matmul, function arguments "
        "and results, func.call, scf control flow and cf branches");
    if (failed(counts))
      return signalPassFailure();
    numLowered += counts->Matmuls;
    numHostFunctions = counts->Kernels;
  }
};

struct DQBuildCUDAKernelsPass
    : public mlir::dq::impl::DQBuildCUDAKernelsBase<DQBuildCUDAKernelsPass> {
  using DQBuildCUDAKernelsBase::DQBuildCUDAKernelsBase;

  void runOnOperation() override {
    CUDATargetOptions target;
    target.chip = chip;
    target.features = features;
    target.optLevel = optLevel;
    unsigned built = 0, kernels = 0;
    if (failed(buildCUDAKernels(getOperation(), target, &built, &kernels)))
      signalPassFailure();
    numBuilt += built;
    numKernels += kernels;
  }
};

struct DQCheckCUDAToolkitPass
    : public mlir::dq::impl::DQCheckCUDAToolkitBase<DQCheckCUDAToolkitPass> {
  using DQCheckCUDAToolkitBase::DQCheckCUDAToolkitBase;

  void runOnOperation() override {
    std::string error;
    if (failed(findCUDAToolkit(format, toolkit, error))) {
      getOperation().emitError() << error;
      signalPassFailure();
    }
  }
};

} // namespace

StringRef mlir::dq::stringifyCUDABinaryFormat(CUDABinaryFormat format) {
  switch (format) {
  case CUDABinaryFormat::Isa:
    return "isa";
  case CUDABinaryFormat::Bin:
    return "bin";
  case CUDABinaryFormat::Fatbin:
    return "fatbin";
  }
  llvm_unreachable("unknown CUDA binary format");
}

FailureOr<std::string> mlir::dq::findCUDAToolkit(CUDABinaryFormat kind,
                                                 StringRef option,
                                                 std::string &error) {
  StringRef format = stringifyCUDABinaryFormat(kind);
  bool needed = format != "isa";
  SmallVector<StringRef> tools = {"ptxas"};
  if (format == "fatbin")
    tools.push_back("fatbinary");
  auto hasTools = [&](StringRef dir) {
    return llvm::all_of(tools, [&](StringRef tool) {
      SmallString<256> path(dir);
      llvm::sys::path::append(path, "bin", tool);
      return llvm::sys::fs::can_execute(path);
    });
  };
  auto missing = [&](StringRef what, StringRef dir) {
    error =
        (what + " '" + dir + "' has no bin/" + llvm::join(tools, " or bin/") +
         "; format=" + format + " needs the CUDA toolkit")
            .str();
    return failure();
  };
  // A named toolkit (option or CUDA_HOME) is used or reported, never
  // skipped; PTX needs none.
  if (!option.empty()) {
    if (hasTools(option))
      return option.str();
    if (!needed)
      return std::string();
    return missing("CUDA toolkit", option);
  }
  if (std::optional<std::string> home = llvm::sys::Process::GetEnv("CUDA_HOME");
      home && !home->empty()) {
    if (hasTools(*home))
      return *home;
    if (!needed)
      return std::string();
    return missing("CUDA_HOME", *home);
  }
  if (llvm::ErrorOr<std::string> ptxas =
          llvm::sys::findProgramByName("ptxas")) {
    SmallString<256> real;
    if (!llvm::sys::fs::real_path(*ptxas, real)) {
      StringRef dir =
          llvm::sys::path::parent_path(llvm::sys::path::parent_path(real));
      if (hasTools(dir))
        return dir.str();
    }
  }
  if (hasTools("/usr/local/cuda"))
    return std::string("/usr/local/cuda");
  if (!needed)
    return std::string();
  error = ("format=" + format +
           " needs the CUDA toolkit (ptxas), and none was found: set "
           "CUDA_HOME, pass toolkit=DIR, put ptxas on PATH or install it in "
           "/usr/local/cuda; format=isa needs no toolkit")
              .str();
  return failure();
}
