//===- Registration.h - what dq-opt registers -------------------*- C++ -*-===//

#ifndef DQ_TOOLS_DQOPT_REGISTRATION_H
#define DQ_TOOLS_DQOPT_REGISTRATION_H

#include "mlir/IR/DialectRegistry.h"

namespace dqopt {
/// The dq dialect plus the upstream dialects, interfaces and passes that the
/// dq pipelines need, and nothing more: a smaller registry keeps dq-opt quick
/// to build and its pass list readable.
void registerDQOptDialects(mlir::DialectRegistry &registry);
void registerDQOptPasses();
} // namespace dqopt

#endif // DQ_TOOLS_DQOPT_REGISTRATION_H
