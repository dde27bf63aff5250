//===- Pipelines.h - registered dq pipelines --------------------*- C++ -*-===//

#ifndef DQ_PIPELINES_PIPELINES_H
#define DQ_PIPELINES_PIPELINES_H

#include "dq/Conversion/Options.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::dq {

/// Options of --dq-cpu-pipeline.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  Option<CPUTargetOption> target{
      *this, "target", llvm::cl::desc("Instruction set of the matmul kernels"),
      llvm::cl::init(CPUTargetOption::Host), DQ_CPU_TARGET_VALUES};
  Option<ActivationsOption> activations{
      *this, "activations",
      llvm::cl::desc("Activation arithmetic of the matmul kernels"),
      llvm::cl::init(ActivationsOption::F32), DQ_ACTIVATIONS_VALUES};
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
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Tile and vectorize the linalg ops the kernels do not "
                     "cover (--dq-vectorize-linalg-cpu); false leaves them "
                     "to scalar loops"),
      llvm::cl::init(true)};
  Option<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("Vectorized f32 exp and erf as upstream's polynomials "
                     "(false: libm calls, one per element)"),
      llvm::cl::init(true)};
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
  Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("Target GPU: sm_80, sm_86, sm_87, sm_89, sm_90 or sm_90a"),
      llvm::cl::init("sm_90")};
  Option<std::string> features{
      *this, "features", llvm::cl::desc("PTX features (the PTX ISA version)"),
      llvm::cl::init("+ptx80")};
  Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimization level of the NVPTX back end"),
      llvm::cl::init(3)};
  Option<CUDABinaryFormat> format{
      *this, "format", llvm::cl::desc("Kernel binary format"),
      llvm::cl::init(CUDABinaryFormat::Isa), DQ_CUDA_FORMAT_VALUES};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit directory (default: $CUDA_HOME, the "
                     "directory above ptxas on PATH, /usr/local/cuda)"),
      llvm::cl::init("")};
  Option<unsigned> gemvMaxM{
      *this, "gemv-max-m",
      llvm::cl::desc("Largest static M (0 to 8; 0: never) that takes the "
                     "gemv route"),
      llvm::cl::init(8)};
  Option<unsigned> rowsPerWarp{
      *this, "rows-per-warp",
      llvm::cl::desc("gemv: output rows per warp (1 to 8)"), llvm::cl::init(2)};
  Option<unsigned> warps{*this, "warps",
                         llvm::cl::desc("gemv: warps per block (1 to 32)"),
                         llvm::cl::init(4)};
  Option<unsigned> tileM{
      *this, "tile-m",
      llvm::cl::desc("gemm: activation rows per block tile (32, 64, 128)"),
      llvm::cl::init(64)};
  Option<unsigned> tileN{
      *this, "tile-n",
      llvm::cl::desc("gemm: output columns per block tile (16, 32, 64, 128)"),
      llvm::cl::init(64)};
  Option<bool> poison{
      *this, "poison",
      llvm::cl::desc("Fill the device output with NaN before the kernel "
                     "runs (unwritten elements show)"),
      llvm::cl::init(true)};
  Option<unsigned> repeat{
      *this, "repeat",
      llvm::cl::desc("Launches of each matmul kernel per call (benchmarks "
                     "subtract two repeat counts to time the kernel alone)"),
      llvm::cl::init(1)};
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
