//===- Passes.h - dq transformation passes ----------------------*- C++ -*-===//

#ifndef DQ_TRANSFORMS_PASSES_H
#define DQ_TRANSFORMS_PASSES_H

#include "DQ/IR/DQDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::dq {

#define GEN_PASS_DECL
#include "dq/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dq/Transforms/Passes.h.inc"

} // namespace mlir::dq

#endif // DQ_TRANSFORMS_PASSES_H
