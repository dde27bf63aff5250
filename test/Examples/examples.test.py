# Helper of examples.test: checks the main job's results (run_example.py
# --json-out) for the orderings the quantizers guarantee or the layer errors
# predict.
import json
import sys

results = {r["config"]: r for r in json.load(open(sys.argv[1]))}
rtn2, dq2, dq4 = results["rtn-w2"], results["dq-w2"], results["dq-w4"]
problems = []
for layer, err in dq2["layer_errors"].items():
    if not err <= rtn2["layer_errors"][layer]:
        problems.append("layer %s: decoupleQ %g > RTN %g" %
                        (layer, err, rtn2["layer_errors"][layer]))
if not dq4["rel_err"] < dq2["rel_err"]:
    problems.append("W4 output error %g not below W2's %g" %
                    (dq4["rel_err"], dq2["rel_err"]))
if not dq2["rel_err"] < rtn2["rel_err"]:
    problems.append("decoupleQ W2 output error %g not below RTN's %g" %
                    (dq2["rel_err"], rtn2["rel_err"]))
# W4 g64 keeps the output direction: cosine 0.99 is the usual bar for a
# 4-bit weight-only model.
if not dq4["cosine"] > 0.99:
    problems.append("W4 cosine %g <= 0.99" % dq4["cosine"])
print("\n".join(problems) if problems else "ordering ok")
