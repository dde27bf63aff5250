//===- CUDAPipeline.cpp - --dq-cuda-pipeline ------------------------------===//

#include "dq/Pipelines/Pipelines.h"

#include "dq/Conversion/Passes.h"
#include "dq/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::dq::buildCUDAPipeline(OpPassManager &pm,
                                 const CUDAPipelineOptions &options) {
  // A missing toolkit is reported before anything is generated.
  DQCheckCUDAToolkitOptions check;
  check.format = options.format;
  check.toolkit = options.toolkit;
  pm.addPass(createDQCheckCUDAToolkit(check));
  pm.addPass(createDQExportABI());

  DQPackWeightsOptions pack;
  pack.layout = "gpu_chunked";
  pm.addPass(createDQPackWeights(pack));
  DQLowerMatmulCUDAOptions lower;
  lower.gemvMaxM = options.gemvMaxM;
  lower.rowsPerWarp = options.rowsPerWarp;
  lower.warps = options.warps;
  lower.tileM = options.tileM;
  lower.tileN = options.tileN;
  lower.poison = options.poison;
  lower.repeat = options.repeat;
  pm.addPass(createDQLowerMatmulCUDA(lower));
  // Everything else runs on the host.
  pm.addPass(createDQLowerToLinalg());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());

  DQBuildCUDAKernelsOptions build;
  build.chip = options.chip;
  build.features = options.features;
  build.optLevel = options.optLevel;
  pm.addPass(createDQBuildCUDAKernels(build));

  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createGpuToLLVMConversionPass());
  // Host math as in --dq-cpu-pipeline: intrinsics where LLVM has one, libm
  // calls for the rest (erf).
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());

  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  std::string error;
  FailureOr<std::string> toolkit =
      findCUDAToolkit(options.format, options.toolkit, error);
  if (succeeded(toolkit))
    binary.toolkitPath = *toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}
