"""dqrt's Module.profile(): after three calls of `attention`, each of its
regions counted three calls and some time, no other function's region ran;
reset_profile() zeroes them; a module without regions raises NOT_FOUND.

use_profile.py PROFILED.mlir PLAIN.mlir
"""
import sys

import numpy as np

import dqrt

rt = dqrt.Runtime(threads=1)
module = rt.load(sys.argv[1])
attention = module["attention"]
rng = np.random.default_rng()
q = rng.standard_normal((2, 16, 8)).astype(np.float32)
k = rng.standard_normal((2, 32, 8)).astype(np.float32)
v = rng.standard_normal((2, 32, 8)).astype(np.float32)
for _ in range(3):
    attention(q, k, v)
regions = module.profile()
mine = [r for r in regions if r["function"] == "attention"]
others = [r for r in regions if r["function"] != "attention"]
assert len(mine) == 10, mine
assert all(r["calls"] == 3 and r["nanoseconds"] > 0 for r in mine), mine
assert all(r["calls"] == 0 for r in others), others
print("attention: %d regions, 3 calls each, classes %s"
      % (len(mine), ",".join(sorted({r["op_class"] for r in mine}))))
module.reset_profile()
assert all(r["calls"] == 0 and r["nanoseconds"] == 0
           for r in module.profile())
print("reset: all zero")
try:
    rt.load(sys.argv[2]).profile()
    print("plain module: no error")
except dqrt.DqrtError as e:
    print("plain module: %s" % e)
