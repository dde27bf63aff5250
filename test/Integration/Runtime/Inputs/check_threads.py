"""Checks the results of openmp-threads.mlir.

usage: check_threads.py X.npy PREFIX T...

For each thread count T, PREFIX.{jit,aot}T.{y,t}.npy hold y = 2x + 1 and the
OpenMP thread id that computed each element. Prints one line per T that
FileCheck matches; exits non-zero on the first mismatch.
"""
import sys

import numpy as np


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    x = np.load(sys.argv[1])
    prefix = sys.argv[2]
    # Tolerance 0: 2x is exact in binary floating point, so y = 2x + 1 has a
    # single rounding, to float32 here as in the module (float64 holds 2x + 1
    # exactly for float32 x, so rounding it once gives the same float32).
    want = (2.0 * x.astype(np.float64) + 1.0).astype(np.float32)
    for threads in map(int, sys.argv[3:]):
        seen = []
        for mode in ("jit", "aot"):
            y = np.load("%s.%s%d.y.npy" % (prefix, mode, threads))
            t = np.load("%s.%s%d.t.npy" % (prefix, mode, threads))
            if y.dtype != np.float32 or y.shape != x.shape:
                fail("%s y: %s %s" % (mode, y.dtype, y.shape))
            if not np.array_equal(y.view(np.uint32), want.view(np.uint32)):
                fail("%s, %d threads: y != 2x + 1" % (mode, threads))
            # The static schedule gives each thread one contiguous chunk, so
            # the ids ascend and every thread of the team appears.
            ids = sorted(set(t.tolist()))
            if ids != list(range(threads)):
                fail("%s, %d threads: thread ids %s" % (mode, threads, ids))
            if np.any(np.diff(t) < 0):
                fail("%s, %d threads: ids not in chunks: %s" % (mode, threads,
                                                              t.tolist()))
            seen.append(t)
        if not np.array_equal(seen[0], seen[1]):
            fail("%d threads: jit and aot split the loop differently" % threads)
        print("threads %d: jit ok, aot ok, thread ids %s" % (threads, ids))


if __name__ == "__main__":
    main()
