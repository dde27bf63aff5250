//===- CUDAPipeline.cpp - --dq-cuda-pipeline ------------------------------===//

#include "dq/Pipelines/Pipelines.h"

#include "dq/Conversion/CUDAToolkit.h"
#include "dq/Conversion/Passes.h"
#include "dq/Transforms/Passes.h"

#include "HostStages.h"

#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::dq::buildCUDAPipeline(OpPassManager &pm,
                                 const CUDAPipelineOptions &options) {
  // A missing toolkit is reported before anything is generated.
  DQCheckCUDAToolkitOptions check;
  check.format = options.format;
  check.toolkit = options.toolkit;
  pm.addPass(createDQCheckCUDAToolkit(check));
  pm.addNestedPass<func::FuncOp>(createDQExportABI());

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
  addHostLinalgLowering(pm);
  addHostBufferization(pm);

  DQBuildCUDAKernelsOptions build;
  build.chip = options.chip;
  build.features = options.features;
  build.optLevel = options.optLevel;
  pm.addPass(createDQBuildCUDAKernels(build));

  addHostControlFlowLowering(pm);
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createGpuToLLVMConversionPass());
  addHostLLVMLowering(pm);

  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = stringifyCUDABinaryFormat(options.format);
  std::string error;
  FailureOr<std::string> toolkit =
      findCUDAToolkit(options.format, options.toolkit, error);
  if (succeeded(toolkit))
    binary.toolkitPath = *toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}
