"""print-numpy.test's inputs and check.

  print_numpy.py make DIR       writes DIR/0.npy .. DIR/10.npy
  print_numpy.py check DIR OUT  compares dq-run's printout OUT with numpy's
                                str() of each array, character for character
"""
import re
import sys

import numpy as np


def arrays():
    rng = np.random.default_rng(7)
    return [
        rng.standard_normal((2, 3, 4)).astype(np.float32),
        # Magnitudes from 1e-6 to 1e9: numpy switches to scientific notation.
        np.array([1e-6, -2.5, 3e9, 0.0, 123.456, -7e-3]),
        (rng.standard_normal((2, 5)) * 100).astype(np.float16),
        np.array([-128, -1, 0, 1, 7, 100, 127], np.int8),
        np.array([-(2 ** 62), 0, 2 ** 40 + 3], np.int64),
        np.array([True, False, True, True, False]),
        # 1200 elements: summarized with "..." (numpy's threshold is 1000).
        (np.arange(1200, dtype=np.float32) / 7).reshape(40, 30),
        np.array(3.5, np.float32),
        # One long row: wrapped at numpy's line width of 75.
        (np.arange(30, dtype=np.float64) * 1.25 - 9).reshape(1, 30),
        np.array([1.5, np.nan, -np.inf, np.inf, 0.0, -2.0], np.float32),
        # 840 elements of rank 4: blank lines between the blocks.
        np.arange(840, dtype=np.int32).reshape(4, 5, 6, 7) - 420,
    ]


def main():
    if sys.argv[1] == "make":
        for i, a in enumerate(arrays()):
            np.save("%s/%d.npy" % (sys.argv[2], i), a)
        return 0
    text = open(sys.argv[3]).read()
    blocks = re.split(r"^result #\d+: [^\n]*\n", text, flags=re.M)[1:]
    want = arrays()
    if len(blocks) != len(want):
        print("FAIL: %d results printed, expected %d" % (len(blocks), len(want)))
        return 1
    for i, (got, a) in enumerate(zip(blocks, want)):
        expected = str(a) + "\n"
        if got != expected:
            print("FAIL: result #%d differs from numpy\n--- dq-run\n%s--- numpy\n%s"
                  % (i, got, expected))
            return 1
    print("all %d results print as numpy prints them" % len(want))
    return 0


if __name__ == "__main__":
    sys.exit(main())
