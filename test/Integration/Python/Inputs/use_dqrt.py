"""Drives the dqrt Python package over compiled modules and checks every
result against numpy computed here.

usage: use_dqrt.py ADD_MODULE MATMUL_MODULE MATMUL_X_NPY MATMUL_OUT_NPY
(the matmul result is written for scripts/check_matmul.py, which holds the
float64 reference and its bound)."""
import os
import sys

import numpy as np

import dqrt


def expect_error(code, needle, fn, *args):
    try:
        fn(*args)
    except dqrt.DqrtError as e:
        assert e.code == code, (e.code, str(e))
        assert needle in str(e), (needle, str(e))
        print("error (%s): %s" % (e.code_name, e))
        return
    raise AssertionError("no error raised; expected: " + needle)


def check_tied(mod, rng):
    """A cache tied to its result is updated in place, step after step."""
    step = mod["step"]
    assert step.tied_args == {1: 0}, step.tied_args
    cache = np.zeros((4, 8), np.float32)
    ref = np.zeros((4, 8), np.float64)
    address = cache.ctypes.data
    for pos in rng.permutation(4):
        row = rng.standard_normal((1, 8)).astype(np.float32)
        sums, new = step(cache, row, np.array([pos], np.int64))
        ref[pos] = row[0]
        assert new is cache and cache.ctypes.data == address
        assert np.array_equal(cache, ref.astype(np.float32))
        # Four float32 additions in the reduction's order; each value is
        # exact in float64, so the bound is 3 roundings of the largest
        # partial sum.
        bound = 3 * np.finfo(np.float32).eps * np.abs(ref).sum(axis=0)
        assert np.all(np.abs(sums - ref.sum(axis=0)) <= bound)
    print("tied: in place, %d copies" % step.num_tied_copies)

    keep = mod["step_keep_old"]
    cache = rng.standard_normal((4, 8)).astype(np.float32)
    before = cache.copy()
    row = rng.standard_normal((1, 8)).astype(np.float32)
    old, new = keep(cache, row)
    assert new is cache
    assert np.array_equal(old, before)          # taken before the copy-back
    expected = before.copy()
    expected[0] = row[0]
    assert np.array_equal(cache, expected)
    print("tied, not in place: %d copies" % keep.num_tied_copies)

    # The tied argument must not also be another argument.
    shared = np.zeros((4, 8), np.float32)
    expect_error(dqrt.INVALID_ARGUMENT, "must not share memory", step,
                 shared, shared[:1], np.array([0], np.int64))

    # A position past the cache (dq.bounds) fails before the call: the cache
    # is left as it was.
    cache = rng.standard_normal((4, 8)).astype(np.float32)
    before = cache.copy()
    for pos in (4, -1, 1 << 40):
        expect_error(dqrt.INVALID_ARGUMENT,
                     "element 0 is %d, outside its bounds [0, 3]" % pos, step,
                     cache, row, np.array([pos], np.int64))
    assert np.array_equal(cache, before)


def main():
    add_path, mm_path, x_path, out_path, tied_path = sys.argv[1:6]
    rng = np.random.default_rng()
    rt = dqrt.Runtime(threads=2)
    mod = rt.load(add_path)

    add = mod["add"]
    print(repr(add))
    a = rng.standard_normal((2, 3)).astype(np.float32)
    b = rng.standard_normal((2, 3)).astype(np.float32)
    (c,) = add(a, b)
    # One float32 addition per element: exact against numpy's.
    assert c.dtype == np.float32 and c.shape == (2, 3)
    assert np.array_equal(c, a + b), (c, a + b)
    # The result is a view of the runtime's buffer, not a copy.
    assert not c.flags.owndata
    print("add: exact")

    square_double = mod["square_double"]
    rows = int(rng.integers(1, 9))
    x = rng.standard_normal((rows, 4))
    s, d = square_double(x)
    assert s.shape == (rows, 4) and d.shape == (rows, 4)
    assert np.array_equal(s, x * x) and np.array_equal(d, x + x)
    print("square_double: exact, dynamic rows")

    # Widening (int32 -> float64 is safe) is converted; narrowing refused.
    s, _ = square_double(np.arange(8, dtype=np.int32).reshape(2, 4))
    assert np.array_equal(s, np.arange(8.0).reshape(2, 4) ** 2)

    ident = mod["ident"]
    v = rng.integers(-100, 100, 5).astype(np.int32)
    (w,) = ident(v)
    assert np.array_equal(v, w)
    del w  # the buffer outlives nothing but its array
    print("ident: exact")

    # Bad input: every case is an error with a message, never a crash.
    expect_error(dqrt.INVALID_ARGUMENT, "expected tensor<2x3xf32>", add,
                 a.T.copy(), b)
    expect_error(dqrt.INVALID_ARGUMENT, "got an array of float64", add,
                 a.astype(np.float64), b)
    expect_error(dqrt.INVALID_ARGUMENT, "takes 2 arguments, got 1", add, a)
    expect_error(dqrt.NOT_FOUND, "nope", mod.__getitem__, "nope")
    expect_error(dqrt.NOT_FOUND, "missing.mlir", rt.load,
                 os.path.join(os.path.dirname(add_path), "missing.mlir"))
    expect_error(dqrt.INVALID_ARGUMENT, "unknown device", dqrt.Runtime,
                 "tpu")

    # A quantized matmul; check_matmul.py compares with float64.
    mm = rt.load(mm_path)["matmul"]
    (y,) = mm(np.load(x_path))
    np.save(out_path, y)
    print("matmul:", y.shape)

    check_tied(rt.load(tied_path), rng)

    # bf16 helpers: round to nearest even, exact widening.
    f = np.array([1.0, 1.00390625, 1.01171875, -2.5, np.inf], np.float32)
    bits = dqrt.f32_to_bf16_bits(f)
    back = dqrt.bf16_bits_to_f32(bits)
    assert np.array_equal(back, np.array([1.0, 1.0, 1.015625, -2.5, np.inf],
                                         np.float32)), back
    assert np.isnan(dqrt.bf16_bits_to_f32(
        dqrt.f32_to_bf16_bits(np.array([np.nan], np.float32))))[0]
    print("bf16: round to nearest even")
    print("dqrt python: all checks passed")


if __name__ == "__main__":
    main()
