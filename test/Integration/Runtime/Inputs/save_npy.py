"""Writes small .npy files for dq-run's tests: save_npy.py DIR.

a.npy, b.npy: f32 [2, 3]; d.npy: f64 [3, 4]; i.npy: i32 [5]; a64.npy: a as
f64; a32.npy: a transposed ([3, 2]); fortran.npy: a in Fortran order;
u8.npy: u8 [2, 3]; trunc.npy: a.npy without its last byte; garbage.npy:
not .npy at all. Values are fixed so tests can check printed numbers.
"""
import os
import sys

import numpy as np

d = sys.argv[1]
os.makedirs(d, exist_ok=True)
a = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
np.save(os.path.join(d, "a.npy"), a)
np.save(os.path.join(d, "b.npy"), np.ones((2, 3), np.float32))
np.save(os.path.join(d, "d.npy"), np.arange(12, dtype=np.float64).reshape(3, 4) - 5.5)
np.save(os.path.join(d, "i.npy"), np.array([1, -2, 3, -4, 5], np.int32))
np.save(os.path.join(d, "a64.npy"), a.astype(np.float64))
np.save(os.path.join(d, "a32.npy"), np.ascontiguousarray(a.T))
np.save(os.path.join(d, "fortran.npy"), np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save(os.path.join(d, "u8.npy"), np.ones((2, 3), np.uint8))
raw = open(os.path.join(d, "a.npy"), "rb").read()
open(os.path.join(d, "trunc.npy"), "wb").write(raw[:-1])
open(os.path.join(d, "garbage.npy"), "wb").write(b"this is not a numpy file\n")
