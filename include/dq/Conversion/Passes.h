//===- Passes.h - dq conversion passes --------------------------*- C++ -*-===//

#ifndef DQ_CONVERSION_PASSES_H
#define DQ_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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

} // namespace mlir::dq

#endif // DQ_CONVERSION_PASSES_H
