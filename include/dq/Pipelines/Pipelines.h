//===- Pipelines.h - registered dq pipelines --------------------*- C++ -*-===//

#ifndef DQ_PIPELINES_PIPELINES_H
#define DQ_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::dq {

/// Options of --dq-cpu-pipeline.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("Instruction set of the matmul kernels: host, avx512, "
                     "avx2 or generic"),
      llvm::cl::init("host")};
  Option<std::string> activations{
      *this, "activations",
      llvm::cl::desc("Activation arithmetic of the matmul kernels: f32 "
                     "(exact) or int8 (quantized per group, VNNI)"),
      llvm::cl::init("f32")};
  Option<unsigned> mBlock{
      *this, "m-block",
      llvm::cl::desc("Activation rows per register block: 1, 2, 4 or 8"),
      llvm::cl::init(8)};
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
};

/// dq ops and tensor-level linalg down to the LLVM dialect for the CPU:
/// weights are repacked (--dq-pack-weights) and dq.matmul becomes calls to
/// vectorized kernels (--dq-lower-matmul-cpu); other dq ops take the
/// portable lowering; then upstream bufferization and lowering to LLVM.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers --dq-cpu-pipeline.
void registerPipelines();

} // namespace mlir::dq

#endif // DQ_PIPELINES_PIPELINES_H
