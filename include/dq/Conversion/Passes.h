//===- Passes.h - dq conversion passes --------------------------*- C++ -*-===//

#ifndef DQ_CONVERSION_PASSES_H
#define DQ_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::dq {

#define GEN_PASS_DECL
#include "dq/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dq/Conversion/Passes.h.inc"

/// The CUDA toolkit directory for `format` (isa, bin or fatbin): `option`
/// when given, else $CUDA_HOME, else the directory above a ptxas on PATH,
/// else /usr/local/cuda. Returns "" for isa when none is found; fails with
/// a message saying where it looked when bin/fatbin needs one, or when the
/// format is unknown.
FailureOr<std::string> findCUDAToolkit(StringRef format, StringRef option,
                                       std::string &error);

} // namespace mlir::dq

#endif // DQ_CONVERSION_PASSES_H
