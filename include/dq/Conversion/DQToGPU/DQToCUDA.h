//===- DQToCUDA.h - the CUDA kernel lowering as patterns --------*- C++ -*-===//
//
// The conversion behind --dq-lower-matmul-cuda, for stacks that run their
// own dialect conversion: a type conversion of gpu_chunked weights to their
// stored parts and patterns that turn dq.constant into arith.constant and
// dq.matmul into a dq.kernel with a #dq_gpu.matmul config, whose callee is a
// host function. After bufferization, buildCUDAKernels
// (--dq-build-cuda-kernels) writes the host functions and the GPU kernels
// and turns the dq.kernel ops into calls.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_DQTOGPU_DQTOCUDA_H
#define DQ_CONVERSION_DQTOGPU_DQTOCUDA_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/DialectConversion.h"

#include <string>

namespace mlir::dq {

/// How the CUDA kernels compute (the options of --dq-lower-matmul-cuda).
struct CUDAKernelOptions {
  /// Largest static M (0 to 8; 0: never) that takes the gemv route.
  unsigned gemvMaxM = 8;
  /// gemv: output rows per warp (1 to 8), warps per block (1 to 32).
  unsigned rowsPerWarp = 2, warps = 4;
  /// gemm: block tile, 32/64/128 rows by 16/32/64/128 columns.
  unsigned tileM = 64, tileN = 64;
  /// Fill the device output with NaN before the kernel runs.
  bool poison = true;
  /// Launches of the matmul kernel per call (at least 1).
  unsigned repeat = 1;
};

/// Where the GPU kernels are compiled for (the options of
/// --dq-build-cuda-kernels).
struct CUDATargetOptions {
  std::string chip = "sm_90";
  std::string features = "+ptx80";
  unsigned optLevel = 3;
};

/// Adds the 1:N conversion of a !dq.weight in the gpu_chunked layout to its
/// stored parts (packed bytes, scale, offset).
void populateDQToCUDATypeConversion(TypeConverter &converter);

/// dq.constant in the gpu_chunked layout becomes three arith.constant;
/// dq.matmul on a gpu_chunked weight becomes a dq.kernel with a
/// #dq_gpu.matmul config. A weight that comes from a dq.constant gets a
/// host function of its own that keeps its device copy between calls; any
/// other weight (an argument, a region's value) is copied on every call.
/// `options` must be within the ranges above.
void populateDQToCUDAPatterns(const TypeConverter &converter,
                              RewritePatternSet &patterns,
                              const CUDAKernelOptions &options);

/// After bufferization: writes the host function of every dq.kernel with a
/// #dq_gpu.matmul config in `module` (one per callee) and the GPU kernels
/// it launches (in one gpu.module for `target`), and replaces the op by a
/// call of it. Errors are reported on the ops or the module.
LogicalResult buildCUDAKernels(ModuleOp module, const CUDATargetOptions &target,
                               unsigned *numBuilt = nullptr,
                               unsigned *numKernels = nullptr);

} // namespace mlir::dq

#endif // DQ_CONVERSION_DQTOGPU_DQTOCUDA_H
