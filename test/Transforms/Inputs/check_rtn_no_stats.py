"""check_rtn_no_stats.py SOURCE QUANTIZED LOG BITS

Checks a --dq-quantize run of method=rtn without statistics on SOURCE
(torch-linear.mlir: float weights fc1 [6, 8] and fc2 [4, 6]), quantized
per-channel at BITS into QUANTIZED, with its stderr in LOG:

- every weight is within half a grid step of its float value:
  |ŵ - w| <= |s|/2 + 2^-10 (|z| + 2^(b-1) |s|), the last term for the f16
  rounding of the stored s and z (at most 2^-11 relative each, and |Q| is
  at most 2^(b-1));
- the error printed for each layer is Σ(ŵ - w)² / Σw² (H = I: the plain
  weight error), recomputed here in float64, to the printed 4 digits.
"""
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "scripts"))
import dqgen  # noqa: E402

source, quantized, log, bits = sys.argv[1], sys.argv[2], sys.argv[3], \
    int(sys.argv[4])
blobs = dqgen.read_blobs(open(source).read())
originals = {name: np.frombuffer(dqgen._blob(blobs, name, shape, "f32"),
                               np.float32).astype(np.float64).reshape(shape)
             for name, shape in (("fc1", (6, 8)), ("fc2", (4, 6)))}
printed = {m.group(1): float(m.group(2)) for m in re.finditer(
    r"\] (\w+) \d+x\d+ rtn W\d+ per-channel: error ([-+.e\d]+),",
    open(log).read())}
weights, _ = dqgen.read_module(quantized)
ok = len(weights) == 2
for c in weights.values():
    name = c["resource"][:-len(".q")] if c["resource"].endswith(".q") \
        else c["resource"]
    w = originals[name]
    w_hat = dqgen.dequantize(c["q"], c["s"], c["z"], c["group"])
    s = np.repeat(np.abs(c["s"]), c["group"], axis=1)
    z = np.repeat(np.abs(c["z"]), c["group"], axis=1)
    bound = s / 2 + 2.0 ** -10 * (z + 2 ** (bits - 1) * s)
    near = bool((np.abs(w_hat - w) <= bound).all())
    err = float(((w_hat - w) ** 2).sum() / (w ** 2).sum())
    same = name in printed and abs(printed[name] - err) <= 5e-4 * err
    print("%s: W%d, within half a step: %s, error %.4g printed %s: %s"
          % (name, c["bits"], near, err, printed.get(name), same))
    ok &= near and same and c["bits"] == bits
print("check_rtn_no_stats: %s" % ("ok" if ok else "FAIL"))
sys.exit(0 if ok else 1)
