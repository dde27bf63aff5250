//===- CUDAToolkit.h - where the CUDA toolkit is ----------------*- C++ -*-===//

#ifndef DQ_CONVERSION_CUDATOOLKIT_H
#define DQ_CONVERSION_CUDATOOLKIT_H

#include "dq/Conversion/Options.h"

#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::dq {

/// The CUDA toolkit directory for `format`: `option` when given, else
/// $CUDA_HOME, else the directory above a ptxas on PATH, else
/// /usr/local/cuda. Returns "" for isa when none is found; fails with a
/// message saying where it looked when bin/fatbin needs one.
FailureOr<std::string> findCUDAToolkit(CUDABinaryFormat format,
                                       StringRef option, std::string &error);

} // namespace mlir::dq

#endif // DQ_CONVERSION_CUDATOOLKIT_H
