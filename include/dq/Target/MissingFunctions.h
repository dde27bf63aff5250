//===- MissingFunctions.h - stubs for functions nobody provides -*- C++ -*-===//
//
// A module may declare external functions that the runtime's process does
// not have, e.g. mlir-runner's printMemrefF32 in a `main` next to the
// function one wants to run. Giving each of them a stub body lets the rest of
// the module compile and run; a call to a stub reports the function's name
// through libdqrt's `__dqrt_missing_function`, and the invocation fails with
// that error. Used by the JIT plugin (runtime/lib/JIT.cpp) and by
// dq-compile; it lives here, not in the runtime, because it needs MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_TARGET_MISSINGFUNCTIONS_H
#define DQ_TARGET_MISSINGFUNCTIONS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace dqrt {

/// The function stubs call with the missing function's name (libdqrt).
constexpr const char *kMissingFunctionReporter = "__dqrt_missing_function";

/// Gives every external `llvm.func` of `module` for which `isProvided` is
/// false a body that calls the reporter and returns zero. Returns the names
/// of the functions stubbed.
std::vector<std::string>
stubMissingFunctions(mlir::ModuleOp module,
                     llvm::function_ref<bool(llvm::StringRef)> isProvided);

} // namespace dqrt

#endif // DQ_TARGET_MISSINGFUNCTIONS_H
