//===- DQToCPU.h - the CPU kernel lowering as patterns ----------*- C++ -*-===//
//
// The conversion behind --dq-lower-matmul-cpu, for stacks that run their own
// dialect conversion: a type conversion of n16k4 weights to their stored
// parts and patterns that turn dq.constant into arith.constant and dq.matmul
// into a dq.kernel with a #dq_cpu.matmul config. After bufferization,
// buildCPUKernels (--dq-build-cpu-kernels) writes the kernel functions and
// turns the dq.kernel ops into calls.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_DQTOCPU_DQTOCPU_H
#define DQ_CONVERSION_DQTOCPU_DQTOCPU_H

#include "dq/Conversion/Options.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::dq {

/// How the CPU kernels compute (the options of --dq-lower-matmul-cpu).
struct CPUKernelOptions {
  CPUTargetOption target = CPUTargetOption::Host;
  ActivationsOption activations = ActivationsOption::F32;
  /// Activation rows per register block: 1, 2, 4 or 8.
  unsigned mBlock = 8;
  /// Row tiles split across threads.
  bool parallel = true;
};

/// Adds the 1:N conversion of a !dq.weight in the n16k4 layout to its
/// stored parts (packed bytes, tiled scale, tiled offset).
void populateDQToCPUTypeConversion(TypeConverter &converter);

/// dq.constant in the n16k4 layout becomes three arith.constant; dq.matmul
/// on an n16k4 weight (from anywhere: a constant, an argument, a region)
/// becomes a dq.kernel with a #dq_cpu.matmul config. `options.mBlock` must
/// be 1, 2, 4 or 8.
void populateDQToCPUPatterns(const TypeConverter &converter,
                             RewritePatternSet &patterns,
                             const CPUKernelOptions &options);

/// After bufferization: writes the kernel function of every dq.kernel with
/// a #dq_cpu.matmul config in `module` (one per callee) and replaces the op
/// by a call of it. Errors are reported on the ops.
LogicalResult buildCPUKernels(ModuleOp module, unsigned *numBuilt = nullptr);

} // namespace mlir::dq

#endif // DQ_CONVERSION_DQTOCPU_DQTOCPU_H
