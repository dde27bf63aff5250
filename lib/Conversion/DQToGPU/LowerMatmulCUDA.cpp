//===- LowerMatmulCUDA.cpp - --dq-lower-matmul-cuda and friends -----------===//
//
// The call sites (tensor level), the builder of host bodies and kernels
// (after bufferization), and the CUDA toolkit check.
//
//===----------------------------------------------------------------------===//

#include "dq/Conversion/CUDAToolkit.h"
#include "dq/Conversion/Passes.h"

#include "../DQToLinalg/WeightLowering.h"
#include "CUDAKernel.h"
#include "DQ/IR/DQOps.h"

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
#include "llvm/ADT/StringExtras.h"
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

  /// The constant weight of `op` in the gpu_chunked layout, or an error.
  FailureOr<ConstantOp> getWeight(MatmulOp op) {
    Value weight = op.getWeight();
    auto constant = weight.getDefiningOp<ConstantOp>();
    if (!constant) {
      InFlightDiagnostic diag =
          op.emitOpError() << "needs a constant weight (dq.constant) for the "
                              "CUDA kernels; this one ";
      if (Operation *def = weight.getDefiningOp())
        diag << "is produced by '" << def->getName() << "'";
      else
        diag << "is a block argument";
      return diag;
    }
    WeightLayoutAttrInterface layout = constant.getWeightType().getLayout();
    if (!llvm::isa<dq_gpu::ChunkedAttr>(layout))
      return op.emitOpError()
             << "has a weight in the " << layout.getLayoutName()
             << " layout; the CUDA kernels read gpu_chunked "
                "(--dq-pack-weights=layout=gpu_chunked repacks constants "
                "used only by dq.matmul)";
    return constant;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(validateOptions()))
      return signalPassFailure();

    SmallVector<MatmulOp> matmuls;
    module.walk([&](MatmulOp op) { matmuls.push_back(op); });
    SmallVector<ConstantOp> constants;
    for (MatmulOp op : matmuls) {
      FailureOr<ConstantOp> constant = getWeight(op);
      if (failed(constant))
        return signalPassFailure();
      if (!llvm::is_contained(constants, *constant))
        constants.push_back(*constant);
    }

    // One host function per weight and configuration: it caches the
    // weight's device copy.
    llvm::DenseMap<std::pair<Operation *, StringRef>, func::FuncOp> hosts;
    llvm::StringSet<> kernelNames;
    OpBuilder moduleBuilder = OpBuilder::atBlockEnd(module.getBody());
    unsigned counter = 0;
    for (MatmulOp op : matmuls) {
      auto constant = op.getWeight().getDefiningOp<ConstantOp>();
      CUDAMatmulSpec spec = makeSpec(op, constant);
      StringRef kernel = kernelNames.insert(spec.kernelName()).first->getKey();
      func::FuncOp &host = hosts[{constant.getOperation(), kernel}];
      if (!host) {
        std::string name;
        do {
          name = "__dq_cuda_matmul_" + std::to_string(counter++);
        } while (module.lookupSymbol(name));
        host = declareCUDAMatmul(moduleBuilder, module.getLoc(), name, spec);
        ++numHostFunctions;
      }
      lowerCall(op, constant, spec, host);
      ++numLowered;
    }
    for (ConstantOp constant : constants)
      if (constant.getResult().use_empty())
        constant.erase();
  }

  CUDAMatmulSpec makeSpec(MatmulOp op, ConstantOp constant) {
    CUDAMatmulSpec spec;
    spec.weight = constant.getWeightType();
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
    spec.rowsPerWarp = rowsPerWarp;
    spec.warps = warps;
    spec.tileM = tileM;
    spec.tileN = tileN;
    spec.poison = poison;
    spec.repeat = repeat;
    if (staticM && m <= int64_t(gemvMaxM)) {
      spec.route = CUDARoute::GEMV;
      spec.mBlock = std::max<int64_t>(m, 1);
    } else if (spec.activationType.isF32()) {
      // No f32 tensor-core route: the gemv kernel in blocks of rows.
      spec.route = CUDARoute::GEMV;
      spec.mBlock = std::max(1u, unsigned(gemvMaxM));
    } else {
      spec.route = CUDARoute::GEMM;
      spec.mBlock = 1;
    }
    return spec;
  }

  void lowerCall(MatmulOp op, ConstantOp constant, const CUDAMatmulSpec &spec,
                 func::FuncOp host) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    MLIRContext *ctx = &getContext();
    SmallVector<Type> argTypes = spec.hostArgumentTypes(ctx);

    Value x = collapseToMatrix(b, loc, op.getInput());
    auto xTensor = llvm::cast<RankedTensorType>(x.getType());
    int64_t dyn = ShapedType::kDynamic;
    auto xBuffer = bufferization::ToBufferOp::create(
        b, loc,
        MemRefType::get(xTensor.getShape(), xTensor.getElementType(),
                        StridedLayoutAttr::get(ctx, dyn, {dyn, 1})),
        x, /*read_only=*/true);
    Value xArg = memref::CastOp::create(b, loc, argTypes[0], xBuffer);

    auto blobBuffer = [&](ElementsAttr attr) -> Value {
      auto typed = llvm::cast<TypedAttr>(attr);
      auto tensor = arith::ConstantOp::create(b, loc, typed);
      auto type = llvm::cast<RankedTensorType>(typed.getType());
      return bufferization::ToBufferOp::create(
          b, loc, MemRefType::get(type.getShape(), type.getElementType()),
          tensor, /*read_only=*/true);
    };
    Value packed = blobBuffer(constant.getPacked());
    Value scale = blobBuffer(constant.getScale());
    Value offset = blobBuffer(constant.getOffset());

    int64_t m = xTensor.getDimSize(0);
    int64_t n = spec.weight.getRows();
    auto yType = MemRefType::get({m, n}, spec.activationType);
    SmallVector<Value> dynSizes;
    if (ShapedType::isDynamic(m))
      dynSizes.push_back(tensor::DimOp::create(b, loc, x, 0));
    Value y = memref::AllocOp::create(b, loc, yType, dynSizes);
    Value yArg = memref::CastOp::create(b, loc, argTypes[4], y);
    func::CallOp::create(b, loc, host,
                         ValueRange{xArg, packed, scale, offset, yArg});
    Value result = bufferization::ToTensorOp::create(
        b, loc, RankedTensorType::get({m, n}, spec.activationType), y,
        /*restrict=*/true, /*writable=*/true);
    auto resultType = llvm::cast<RankedTensorType>(op.getType());
    result = expandFromMatrix(b, loc, result, op.getInput(), resultType);
    op.replaceAllUsesWith(result);
    op.erase();
  }
};

bool isSupportedChip(StringRef chip) {
  return llvm::is_contained(
      {"sm_80", "sm_86", "sm_87", "sm_89", "sm_90", "sm_90a"}, chip);
}

struct DQBuildCUDAKernelsPass
    : public mlir::dq::impl::DQBuildCUDAKernelsBase<DQBuildCUDAKernelsPass> {
  using DQBuildCUDAKernelsBase::DQBuildCUDAKernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!isSupportedChip(chip)) {
      module.emitError() << "--dq-build-cuda-kernels: unsupported chip '"
                         << chip
                         << "'; the kernels need mma.sync with bf16 (sm_80 "
                            "or newer): expected sm_80, sm_86, sm_87, sm_89, "
                            "sm_90 or sm_90a";
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> declarations;
    for (auto func : module.getOps<func::FuncOp>())
      if (func->hasAttr(kCUDAMatmulAttrName))
        declarations.push_back(func);
    if (declarations.empty())
      return;

    SmallVector<CUDAMatmulSpec> specs;
    for (func::FuncOp func : declarations) {
      if (!func.isExternal()) {
        func.emitOpError() << "is marked " << kCUDAMatmulAttrName
                           << " but already has a body";
        return signalPassFailure();
      }
      FailureOr<CUDAMatmulSpec> spec = readCUDAMatmulSpec(func);
      if (failed(spec))
        return signalPassFailure();
      specs.push_back(*spec);
    }

    MLIRContext *ctx = &getContext();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(kCUDAKernelModuleName);
    if (!kernels) {
      auto target = NVVM::NVVMTargetAttr::get(
          ctx, optLevel, "nvptx64-nvidia-cuda", chip, features);
      kernels = gpu::GPUModuleOp::create(
          b, module.getLoc(), kCUDAKernelModuleName, b.getArrayAttr({target}));
    }
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(ctx));
    size_t before = llvm::range_size(kernels.getOps<gpu::GPUFuncOp>());
    for (auto [func, spec] : llvm::zip(declarations, specs)) {
      func->removeAttr(kCUDAMatmulAttrName);
      buildCUDAMatmulHost(func, spec, kernels);
      ++numBuilt;
    }
    numKernels += llvm::range_size(kernels.getOps<gpu::GPUFuncOp>()) - before;
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
