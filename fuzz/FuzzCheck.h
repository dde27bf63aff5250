//===- FuzzCheck.h - Invariant checks inside the fuzz targets ---*- C++ -*-===//
//
// A broken invariant in a fuzz target is a finding like a crash: print what
// broke and abort, which libFuzzer reports and saves the input for.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_FUZZ_FUZZCHECK_H
#define DQ_FUZZ_FUZZCHECK_H

#include <cstdio>
#include <cstdlib>

#define DQ_FUZZ_CHECK(Cond, Msg)                                               \
  do {                                                                         \
    if (!(Cond)) {                                                             \
      std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s (%s)\n",          \
                   __FILE__, __LINE__, Msg, #Cond);                            \
      std::abort();                                                            \
    }                                                                          \
  } while (false)

#endif // DQ_FUZZ_FUZZCHECK_H
