#!/usr/bin/env bash
# Creates .venv-ray/ (gitignored) with Ray and numpy, for
# `scripts/quantize_model.py --executor ray` and its tests
# (test/Tools/quantize-model/ray-*.test find it here, or through
# $DQ_RAY_PYTHON). Ray is heavy (~80 MB wheel, ~400 MB installed with its
# dependencies), so neither scripts/setup.sh nor the test suite installs it:
# without it the single-machine path works and the Ray tests are skipped.
# Kept apart from .venv-bench/ (torch) so either can be set up alone.
# Idempotent.
#
# On a real cluster, every node needs the same Ray version and Python
# (docs/scale.md, "Sharding over a Ray cluster"): run this script on each
# node, or install the same `ray` into the Python that runs `ray start`.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${DQ_RAY_VENV:-$root/.venv-ray}
if [ ! -x "$venv/bin/python3" ]; then
  echo "==> creating $venv"
  /usr/bin/python3 -m venv "$venv"
fi
if ! "$venv/bin/python3" -c "import ray, numpy" 2>/dev/null; then
  echo "==> installing ray and numpy into $venv"
  "$venv/bin/python3" -m pip install -q --disable-pip-version-check \
    "ray>=2.10" numpy
fi
echo "==> $venv ready: ray $("$venv/bin/python3" -c 'import ray; print(ray.__version__)')"
