//===- CPUPipeline.cpp - --dq-cpu-pipeline --------------------------------===//

#include "dq/Pipelines/Pipelines.h"

#include "dq/Conversion/Passes.h"
#include "dq/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::dq::buildCPUPipeline(OpPassManager &pm,
                                const CPUPipelineOptions &options) {
  // The signature is recorded at tensor level, before bufferization.
  pm.addPass(createDQExportABI());
  // Calibration builds: dq.observe becomes calls into the runtime.
  pm.addPass(createDQLowerObservers());
  if (options.kernels) {
    pm.addPass(createDQPackWeights());
    DQLowerMatmulCPUOptions lower;
    lower.target = options.target;
    lower.activations = options.activations;
    lower.mBlock = options.mBlock;
    lower.parallel = options.threads;
    pm.addPass(createDQLowerMatmulCPU(lower));
  }
  // Whatever the kernels do not cover takes the portable lowering.
  pm.addPass(createDQLowerToLinalg());
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Identity layouts at function boundaries keep the C calling convention
  // plain for callers outside MLIR.
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createConvertBufferizationToMemRefPass());

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  if (options.kernels)
    pm.addPass(createDQBuildCPUKernels());
  // After the deallocation pipeline: it would insert constants into
  // omp.wsloop, whose verifier rejects them.
  if (options.threads) {
    pm.addPass(createConvertSCFToOpenMPPass());
    // The OpenMP conversion wraps each loop body in memref.alloca_scope,
    // which must hold a single block; inline the scopes (the kernels
    // allocate nothing on the stack) before scf-to-cf splits the bodies.
    pm.addPass(createCanonicalizerPass());
  }
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Math functions without an LLVM intrinsic (erf in GELU) call libm; the
  // others become intrinsics first (libm has no rsqrtf).
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::dq::registerPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "dq-cpu-pipeline",
      "Lower dq ops and tensor-level linalg to the LLVM dialect for the CPU "
      "(repacked weights, vectorized multi-threaded matmul kernels)",
      buildCPUPipeline);
}
