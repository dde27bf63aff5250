//===- Print.h - numpy-like printing of results -----------------*- C++ -*-===//
//
// Results print the way numpy prints an array (`print(a)`): nested brackets,
// columns aligned on the decimal point, each float in the shortest form that
// reads back to the same value of its own type, and arrays of more than 1000
// elements summarized with "..." (three items at each end of every axis).
//
//===----------------------------------------------------------------------===//

#ifndef DQ_TOOLS_DQRUN_PRINT_H
#define DQ_TOOLS_DQRUN_PRINT_H

#include "dqrt/dqrt.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

namespace dqrun {

/// Prints C-contiguous `data` of `type` and `shape`, then a newline.
void printArray(llvm::raw_ostream &os, dqrt_dtype type,
                llvm::ArrayRef<int64_t> shape, const void *data);

} // namespace dqrun

#endif // DQ_TOOLS_DQRUN_PRINT_H
