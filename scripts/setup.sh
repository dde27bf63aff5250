#!/usr/bin/env bash
# Installs what dq needs on a Debian (bookworm) machine, then configures and
# builds it in build/. Idempotent: packages already present are not touched,
# an existing build is updated incrementally.
#
#   scripts/setup.sh            # install + configure + build
#   DQ_BUILD_DIR=out scripts/setup.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${DQ_BUILD_DIR:-$root/build}
jobs=${DQ_JOBS:-2}

packages=(
  cmake ninja-build g++ git
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libgtest-dev python3 python3-venv clang-format-22
  libomp-22-dev
  libopenblas-dev liblapacke-dev libeigen3-dev
  clang-22 libclang-rt-22-dev # fuzzers and sanitizer builds (fuzz/)
  time                        # /usr/bin/time -v: peak memory (docs/reliability.md)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "==> installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || {
      echo "error: need root (or sudo) to install: ${missing[*]}" >&2
      exit 1
    }
    sudo=sudo
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}"
else
  echo "==> Debian packages: all present"
fi

# numpy for the execution tests and the example runner, in a private venv so
# that neither the system Python nor a user's environment is modified.
venv=$root/.venv
if [ ! -x "$venv/bin/python3" ]; then
  echo "==> creating $venv"
  /usr/bin/python3 -m venv "$venv"
fi
if ! "$venv/bin/python3" -c "import numpy" 2>/dev/null; then
  echo "==> installing numpy into $venv"
  "$venv/bin/python3" -m pip install -q --disable-pip-version-check numpy
fi

echo "==> configuring $build"
generator=()
[ -f "$build/CMakeCache.txt" ] || generator=(-G Ninja)
cmake "${generator[@]}" -S "$root" -B "$build" \
  -DDQ_PYTHON="$venv/bin/python3" >/dev/null
echo "==> building (-j$jobs)"
cmake --build "$build" -j "$jobs"
