//===- HostStages.h - pipeline stages the CPU and CUDA pipelines share ----===//

#ifndef DQ_LIB_PIPELINES_HOSTSTAGES_H
#define DQ_LIB_PIPELINES_HOSTSTAGES_H

#include "mlir/Pass/PassManager.h"

namespace mlir::dq {

/// The dq ops no kernel took (portable lowering) and elementwise ops to
/// linalg on tensors.
void addHostLinalgLowering(OpPassManager &pm);

/// One-shot bufferization with identity layouts at function boundaries,
/// buffer deallocation, and the linalg ops left to loops.
void addHostBufferization(OpPassManager &pm);

/// scf to control flow, strided metadata, affine.
void addHostControlFlowLowering(OpPassManager &pm);

/// math (intrinsics, else libm), vector, memref and the rest to the LLVM
/// dialect.
void addHostLLVMLowering(OpPassManager &pm);

} // namespace mlir::dq

#endif // DQ_LIB_PIPELINES_HOSTSTAGES_H
