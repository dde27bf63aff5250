//===- Pipelines.h - registered dq pipelines --------------------*- C++ -*-===//

#ifndef DQ_PIPELINES_PIPELINES_H
#define DQ_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace mlir::dq {

/// dq ops and tensor-level linalg down to the LLVM dialect for the CPU.
/// Today: the portable lowering, then upstream bufferization and lowering.
void buildCPUPipeline(OpPassManager &pm);

/// Registers --dq-cpu-pipeline.
void registerPipelines();

} // namespace mlir::dq

#endif // DQ_PIPELINES_PIPELINES_H
