//===- Pipelines.h - registered dq pipelines --------------------*- C++ -*-===//

#ifndef DQ_PIPELINES_PIPELINES_H
#define DQ_PIPELINES_PIPELINES_H

#include "dq/Conversion/Options.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

// The description and default of each pass option, generated from
// Passes.td: a pipeline option that a pass option stands behind takes both
// from there (DQ_PASS_OPTION), so the two cannot drift apart.
#include "dq/Conversion/PassOptionHelp.h.inc"

/// `llvm::cl::desc` and `llvm::cl::init` of option `name` of pass record
/// `pass` in include/dq/Conversion/Passes.td.
#define DQ_PASS_OPTION(pass, name)                                             \
  ::llvm::cl::desc(DQ_PASS_OPTION_HELP_##pass##_##name),                       \
      ::llvm::cl::init(DQ_PASS_OPTION_INIT_##pass##_##name)

namespace mlir::dq {

/// Options of --dq-cpu-pipeline.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  Option<CPUTargetOption> target{*this, "target",
                                 DQ_PASS_OPTION(DQLowerMatmulCPU, target),
                                 DQ_CPU_TARGET_VALUES};
  Option<ActivationsOption> activations{
      *this, "activations", DQ_PASS_OPTION(DQLowerMatmulCPU, activations),
      DQ_ACTIVATIONS_VALUES};
  Option<unsigned> mBlock{*this, "m-block",
                          DQ_PASS_OPTION(DQLowerMatmulCPU, mBlock)};
  // The pipeline's own options (no single pass option stands behind them).
  Option<bool> threads{
      *this, "threads",
      llvm::cl::desc("Multi-threaded kernels (OpenMP); the thread count is "
                     "chosen at run time (dq-run --threads)"),
      llvm::cl::init(true)};
  Option<bool> kernels{
      *this, "kernels",
      llvm::cl::desc("Repack weights and use the vectorized matmul kernels; "
                     "false lowers every dq op through the portable linalg "
                     "form"),
      llvm::cl::init(true)};
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Tile and vectorize the linalg ops the kernels do not "
                     "cover (--dq-vectorize-linalg-cpu); false leaves them "
                     "to scalar loops"),
      llvm::cl::init(true)};
  Option<bool> approximateMath{
      *this, "approximate-math",
      DQ_PASS_OPTION(DQVectorizeLinalgCPU, approximateMath)};
  Option<bool> profile{
      *this, "profile",
      llvm::cl::desc("Time each kernel call and loop nest for dq-run "
                     "--profile (--dq-profile-regions)"),
      llvm::cl::init(false)};
};

/// dq ops and tensor-level linalg down to the LLVM dialect for the CPU:
/// weights are repacked (--dq-pack-weights) and dq.matmul becomes calls to
/// vectorized kernels (--dq-lower-matmul-cpu); other dq ops take the
/// portable lowering; the remaining linalg ops are fused, tiled and
/// vectorized (--dq-vectorize-linalg-cpu); then upstream bufferization and
/// lowering to LLVM.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Options of --dq-cuda-pipeline.
struct CUDAPipelineOptions : public PassPipelineOptions<CUDAPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           DQ_PASS_OPTION(DQBuildCUDAKernels, chip)};
  Option<std::string> features{*this, "features",
                               DQ_PASS_OPTION(DQBuildCUDAKernels, features)};
  Option<unsigned> optLevel{*this, "opt-level",
                            DQ_PASS_OPTION(DQBuildCUDAKernels, optLevel)};
  Option<CUDABinaryFormat> format{*this, "format",
                                  DQ_PASS_OPTION(DQCheckCUDAToolkit, format),
                                  DQ_CUDA_FORMAT_VALUES};
  Option<std::string> toolkit{*this, "toolkit",
                              DQ_PASS_OPTION(DQCheckCUDAToolkit, toolkit)};
  Option<unsigned> gemvMaxM{*this, "gemv-max-m",
                            DQ_PASS_OPTION(DQLowerMatmulCUDA, gemvMaxM)};
  Option<unsigned> rowsPerWarp{*this, "rows-per-warp",
                               DQ_PASS_OPTION(DQLowerMatmulCUDA, rowsPerWarp)};
  Option<unsigned> warps{*this, "warps",
                         DQ_PASS_OPTION(DQLowerMatmulCUDA, warps)};
  Option<unsigned> tileM{*this, "tile-m",
                         DQ_PASS_OPTION(DQLowerMatmulCUDA, tileM)};
  Option<unsigned> tileN{*this, "tile-n",
                         DQ_PASS_OPTION(DQLowerMatmulCUDA, tileN)};
  Option<bool> poison{*this, "poison",
                      DQ_PASS_OPTION(DQLowerMatmulCUDA, poison)};
  Option<unsigned> repeat{*this, "repeat",
                          DQ_PASS_OPTION(DQLowerMatmulCUDA, repeat)};
};

/// dq ops and tensor-level linalg to the LLVM dialect plus GPU binaries:
/// weights are repacked (gpu_chunked), dq.matmul runs as generated CUDA
/// kernels (gemv or tensor-core gemm) launched through the mgpu* runtime
/// ABI; other code stays on the host CPU.
void buildCUDAPipeline(OpPassManager &pm, const CUDAPipelineOptions &options);

/// Registers --dq-cpu-pipeline and --dq-cuda-pipeline.
void registerPipelines();

} // namespace mlir::dq

#endif // DQ_PIPELINES_PIPELINES_H
