//===- Profile.h - dq-run --profile -----------------------------*- C++ -*-===//

#ifndef DQ_TOOLS_DQ_RUN_PROFILE_H
#define DQ_TOOLS_DQ_RUN_PROFILE_H

#include "dqrt/dqrt.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <string>

namespace dqrun {

struct ProfileOptions {
  std::string function;
  unsigned warmup = 1;
  unsigned runs = 10;
  unsigned top = 25;    // regions listed in the table
  std::string jsonPath; // empty: no JSON file
};

/// Calls `callOnce` `warmup` times, resets the module's counters, calls it
/// `runs` times more, timing each call, and prints the time per op class
/// and per region (regions of `function` only), with the share of the
/// calls' time that no region covers. Writes the same as JSON, atomically,
/// to `jsonPath`.
llvm::Error runProfile(dqrt_module module, const ProfileOptions &options,
                       llvm::function_ref<llvm::Error()> callOnce);

} // namespace dqrun

#endif // DQ_TOOLS_DQ_RUN_PROFILE_H
