//===- PendingError.cpp - errors raised inside compiled code --------------===//
//
// Functions that compiled code calls (the mgpu* functions, stubs for missing
// symbols) cannot return an error to it, and no abort may cross the
// runtime's API. They record the first error of the calling thread here;
// the runtime turns it into a status after loading a module (global
// constructors run then) and after each invocation.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

using namespace dqrt;

namespace {
struct PendingError {
  bool set = false;
  dqrt_status_code code = DQRT_OK;
  std::string message;
};

thread_local PendingError pending;
} // namespace

void dqrt::recordPendingError(dqrt_status_code code,
                              const std::string &message) {
  if (pending.set)
    return; // the first error is the one to report
  pending = {true, code, message};
}

bool dqrt::hasPendingError() { return pending.set; }

llvm::Error dqrt::takePendingError() {
  if (!pending.set)
    return llvm::Error::success();
  PendingError error = std::move(pending);
  pending = PendingError();
  return makeError(error.code, error.message);
}

void dqrt::clearPendingError() { pending = PendingError(); }

/// What a module's stub for an external function that nobody provides calls
/// (MissingFunctions.h), JIT-compiled or ahead of time.
extern "C" __attribute__((visibility("default"))) void
__dqrt_missing_function(const char *name) {
  recordPendingError(DQRT_NOT_FOUND,
                     std::string("called '") + name +
                         "', which neither the runtime nor a loaded library "
                         "provides");
}
