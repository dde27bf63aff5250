#!/usr/bin/env bash
# Installs the llama.cpp peer into .venv-bench/ (created by
# bench/quant/setup-bench.sh): PyPI llama-cpp-python, which builds llama.cpp
# from source with -march=native (about 15 minutes on 2 cores; the wheel is
# kept in ~/.cache/dq/wheels so a second run only installs it), and the same
# release's source tree, for llama.cpp's own HF-to-GGUF converter
# (convert_hf_to_gguf.py is not part of the installed package).
#
# Prints the source folder on its last line. Idempotent.
set -euo pipefail

version=0.3.36
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=$root/.venv-bench
cache=${DQ_CACHE:-$HOME/.cache/dq}
src=$cache/llama_cpp_python-$version

if [ ! -x "$venv/bin/python3" ]; then
  echo "setup-llamacpp: $venv is missing; run bench/quant/setup-bench.sh first" >&2
  exit 1
fi
mkdir -p "$cache/wheels"
if ! "$venv/bin/python3" -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$version')" 2>/dev/null; then
  wheel=$(ls "$cache"/wheels/llama_cpp_python-$version-*.whl 2>/dev/null | head -1 || true)
  if [ -z "$wheel" ]; then
    echo "==> building llama-cpp-python $version from PyPI (compiles llama.cpp; ~15 min on 2 cores)" >&2
    CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
      "$venv/bin/python3" -m pip wheel -q --disable-pip-version-check \
      --no-deps -w "$cache/wheels" "llama-cpp-python==$version" >&2
    wheel=$(ls "$cache"/wheels/llama_cpp_python-$version-*.whl | head -1)
  fi
  echo "==> installing $(basename "$wheel") into $venv" >&2
  "$venv/bin/python3" -m pip install -q --disable-pip-version-check \
    "$wheel" diskcache >&2
fi
# The converter imports sentencepiece before it falls back to the BPE
# tokenizer.json SmolLM2 has.
if ! "$venv/bin/python3" -c "import sentencepiece" 2>/dev/null; then
  echo "==> installing sentencepiece (llama.cpp's converter needs it) into $venv" >&2
  "$venv/bin/python3" -m pip install -q --disable-pip-version-check sentencepiece >&2
fi
if [ ! -f "$src/vendor/llama.cpp/convert_hf_to_gguf.py" ]; then
  tarball=$cache/llama_cpp_python-$version.tar.gz
  if [ ! -f "$tarball" ]; then
    echo "==> downloading the llama-cpp-python $version source (for convert_hf_to_gguf.py)" >&2
    "$venv/bin/python3" -m pip download -q --disable-pip-version-check \
      --no-deps --no-binary :all: -d "$cache" "llama-cpp-python==$version" >&2
  fi
  tmp=$(mktemp -d "$cache/src.XXXXXX")
  tar -xzf "$tarball" -C "$tmp"
  rm -rf "$src"
  mv "$tmp/llama_cpp_python-$version" "$src"
  rmdir "$tmp"
fi
echo "$src"
