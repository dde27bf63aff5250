"""check_pool.py MODULE: calls @chain (x·x·x, 256x256) through the dqrt
package with fresh random inputs, keeping every result alive, and checks
each against float64 numpy. A pool that handed out a block still in use (a
live result, or an intermediate of the same call) would make some result
wrong. Then checks that the calls reused pooled blocks, unless
DQRT_POOL_LIMIT_MB=0, and that release_pool empties the pool.

Bound: each output element is a sum of 256 products of sums of 256
products; float32 accumulation errs by at most about 2·256·u·Σ|x||x||x|
(u = 2^-24) against float64; 2·512·u·(|x|·|x|·|x|) is used.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "..", "runtime", "python"))
import dqrt  # noqa: E402

U = 2.0 ** -24
rt = dqrt.Runtime(threads=2)
chain = rt.load(sys.argv[1])["chain"]
rng = np.random.default_rng()
before = dqrt.pool_stats()
kept, ok = [], True
for call in range(6):
    x = rng.standard_normal((256, 256)).astype(np.float32)
    (y,) = chain(x)
    kept.append((x, y))
for x, y in kept:
    x64 = x.astype(np.float64)
    ref = x64 @ x64 @ x64
    bound = 2 * 512 * U * (np.abs(x64) @ np.abs(x64) @ np.abs(x64))
    ok &= bool((np.abs(y - ref) <= bound).all())
print("results: %s (%d calls, all kept alive)" % ("ok" if ok else "FAIL",
                                                  len(kept)))
after = dqrt.pool_stats()
reused = after["reused"] - before["reused"]
allocations = after["allocations"] - before["allocations"]
print("pooled allocations: %d, reused: %s" % (
    allocations, "none" if reused == 0 else "some"))
del kept, y
dqrt.release_pool()
print("after release: %d bytes cached" % dqrt.pool_stats()["cached_bytes"])
sys.exit(0 if ok else 1)
