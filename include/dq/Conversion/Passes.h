//===- Passes.h - dq conversion passes --------------------------*- C++ -*-===//
//
// Declarations only: each pass's source includes the dialects it depends on,
// so that a user of one pass does not compile all of them.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_PASSES_H
#define DQ_CONVERSION_PASSES_H

#include "dq/Conversion/Options.h"

#include "mlir/Pass/Pass.h"

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace mlir::dq {

#define GEN_PASS_DECL
#include "dq/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dq/Conversion/Passes.h.inc"

} // namespace mlir::dq

#endif // DQ_CONVERSION_PASSES_H
