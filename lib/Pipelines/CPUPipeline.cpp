//===- CPUPipeline.cpp - --dq-cpu-pipeline --------------------------------===//

#include "dq/Pipelines/Pipelines.h"

#include "dq/Conversion/Passes.h"
#include "dq/Transforms/Passes.h"

#include "HostStages.h"

#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::dq::buildCPUPipeline(OpPassManager &pm,
                                const CPUPipelineOptions &options) {
  // The signature is recorded at tensor level, before bufferization.
  pm.addNestedPass<func::FuncOp>(createDQExportABI());
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
  // Float weights of matmul(x, transpose(W)) are transposed once, here,
  // rather than on every call.
  pm.addPass(createDQFoldConstantTransposes());
  // Whatever the kernels do not cover takes the portable lowering, and
  // becomes vector code where the vectorizer can.
  addHostLinalgLowering(pm);
  if (options.vectorize) {
    DQVectorizeLinalgCPUOptions vectorize;
    vectorize.threads = options.threads;
    vectorize.approximateMath = options.approximateMath;
    pm.addNestedPass<func::FuncOp>(createDQVectorizeLinalgCPU(vectorize));
    pm.addPass(createCanonicalizerPass());
  }
  // Last at tensor level: the vectorizer has stamped its loops with the
  // classes of the ops they came from.
  if (options.profile)
    pm.addPass(createDQProfileRegions());
  addHostBufferization(pm);
  // Tiles of the vectorized ops: threads split the scf.forall tiles, and
  // multi-dimensional transfers become rows before the LLVM lowering.
  pm.addPass(createForallToParallelLoopPass());
  pm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  if (options.kernels)
    pm.addPass(createDQBuildCPUKernels());
  // After the deallocation pipeline: it would insert constants into
  // omp.wsloop, whose verifier rejects them.
  if (options.threads) {
    // One parallel region per function keeps the OpenMP translation linear
    // in the module's size (--dq-outline-parallel-loops says why).
    pm.addPass(createDQOutlineParallelLoops());
    pm.addPass(createConvertSCFToOpenMPPass());
    // The OpenMP conversion wraps each loop body in memref.alloca_scope,
    // which must hold a single block; inline the scopes (the kernels
    // allocate nothing on the stack) before scf-to-cf splits the bodies.
    pm.addPass(createCanonicalizerPass());
  }
  addHostControlFlowLowering(pm);
  addHostLLVMLowering(pm);
}

void mlir::dq::registerPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "dq-cpu-pipeline",
      "Lower dq ops and tensor-level linalg to the LLVM dialect for the CPU "
      "(repacked weights, vectorized multi-threaded matmul kernels)",
      buildCPUPipeline);
  PassPipelineRegistration<CUDAPipelineOptions>(
      "dq-cuda-pipeline",
      "Lower dq ops to the LLVM dialect with CUDA kernels for dq.matmul "
      "(gpu_chunked weights, gemv and tensor-core gemm kernels, PTX or "
      "cubin/fatbin)",
      buildCUDAPipeline);
}
