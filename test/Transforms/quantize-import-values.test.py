# Helper of quantize-import-values.test: the .value tensors in dqfiles.
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
import dqfiles  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(5)
layers = {"fc1": (rng.integers(-2, 2, (6, 8)),
                  rng.normal(size=(6, 2)).astype(np.float16),
                  rng.normal(size=(6, 2)).astype(np.float16), 2)}
floats = {"fc1.bias": rng.normal(size=6).astype(np.float32),
          "model.proj.bias": rng.normal(size=(2, 3)).astype(np.float32),
          "model.scale": np.array(0.5, np.float32)}
path = os.path.join(out, "ck.safetensors")
dqfiles.write_quantized_model(path, layers, "test", floats=floats)

# The file itself: NAME.value, F32, the array's shape (a scalar is []).
f = dqfiles.SafetensorsFile(path)
for name, values in floats.items():
    key = name + ".value"
    print("%s: %s %s %s" % (key, f.dtype(key), list(f.shape(key)),
                            "same" if np.array_equal(f.read(key), values)
                            else "DIFFER"))

back, _ = dqfiles.read_quantized_model(path)
print("layers:", sorted(back))
got = dqfiles.read_quantized_floats(path)
print("floats:", "same" if sorted(got) == sorted(floats) and all(
    got[k].dtype == np.float32 and got[k].shape == v.shape and
    np.array_equal(got[k], v) for k, v in floats.items()) else "DIFFER")
plain = os.path.join(out, "plain.safetensors")
dqfiles.write_quantized_model(plain, layers, "test")
print("no floats:", dqfiles.read_quantized_floats(plain))

for what, value in [("float64", np.zeros(3)),
                    ("nan", np.array([1, np.nan], np.float32))]:
    bad = os.path.join(out, what + ".safetensors")
    try:
        dqfiles.write_quantized_model(bad, {}, "test", floats={"w": value})
        print(what, "written")
    except dqfiles.FileFormatError as e:
        print("%s: %s; file %s" % (what, e, "exists" if os.path.exists(bad)
                                   else "absent"))
