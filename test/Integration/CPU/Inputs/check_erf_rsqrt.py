"""Checks y = erf(x) + 1/sqrt(x) against Python's math module (float64).
Both functions are computed in f32 by the compiled code (libm's erff, the
llvm.sqrt intrinsic and a division): each within a few ulp, so 8 ulp of
the f32 result bounds the error."""
import math
import sys

import numpy as np

x = np.load(sys.argv[1]).astype(np.float64)
y = np.load(sys.argv[2]).astype(np.float64)
want = np.array([math.erf(v) + 1.0 / math.sqrt(v) for v in x])
bound = 8 * 2.0 ** -24 * np.abs(want)
bad = ~(np.abs(y - want) <= bound)
if bad.any():
    i = int(np.argmax(bad))
    sys.exit("erf+rsqrt: x=%r got %r want %r" % (x[i], y[i], want[i]))
print("erf+rsqrt: %d elements ok" % x.size)
