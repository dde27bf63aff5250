# Helper of stream-write.test.
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "scripts"))
import dqfiles  # noqa: E402

out = sys.argv[1]
rng = np.random.default_rng(3)
layers = {  # the layers of test/Transforms/Inputs/torch-linear.mlir
    "fc1": (rng.integers(-2, 2, (6, 8)), rng.normal(size=(6, 2)).astype(
        np.float16), rng.normal(size=(6, 2)).astype(np.float16), 2),
    "fc2": (rng.integers(-4, 4, (4, 6)), dqfiles.bf16(rng.normal(size=(4, 3))),
            dqfiles.bf16(rng.normal(size=(4, 3))), 3),
}
dqfiles.write_quantized_model(os.path.join(out, "dict.safetensors"), layers,
                              "test", {"note": "x"})
dqfiles.write_quantized_model(os.path.join(out, "gen.safetensors"),
                              ((k, v) for k, v in layers.items()), "test",
                              {"note": "x"})
same = open(os.path.join(out, "dict.safetensors"), "rb").read() == \
    open(os.path.join(out, "gen.safetensors"), "rb").read()
print("dict and generator: %s" % ("same bytes" if same else "DIFFER"))

back, meta = dqfiles.read_quantized_model(os.path.join(out, "gen.safetensors"))
ok = meta["note"] == "x" and sorted(back) == ["fc1", "fc2"]
for name, (q, s, z, bits) in layers.items():
    q2, s2, z2, bits2 = back[name]
    if isinstance(s, dqfiles.Raw):
        s, z = dqfiles.bf16_to_f32(s.bits), dqfiles.bf16_to_f32(z.bits)
    ok = ok and bits2 == bits and np.array_equal(q2, q) and \
        np.array_equal(s2, s.astype(np.float32)) and \
        np.array_equal(z2, z.astype(np.float32))
print("read back: fc1 fc2 %s" % ("ok" if ok else "DIFFER"))


def failing():
    yield "fc1", layers["fc1"]
    raise RuntimeError("conversion failed")


try:
    dqfiles.write_quantized_model(os.path.join(out, "failed.safetensors"),
                                  failing(), "test")
    print("failing generator: no exception")
except RuntimeError:
    print("failing generator: RuntimeError, folder holds %s" %
          " ".join(sorted(os.listdir(out))))
