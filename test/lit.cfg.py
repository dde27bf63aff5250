# -*- Python -*-
import os
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "DQ"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dq_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.dq_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

runner_libs = [
    os.path.join(config.llvm_lib_dir, lib)
    for lib in ("libmlir_runner_utils.so", "libmlir_c_runner_utils.so")]
# --dq-cpu-pipeline's matmul kernels run their row tiles on OpenMP threads:
# upstream mlir-runner needs libomp to resolve __kmpc_*.
if config.dq_libomp:
    runner_libs.append(config.dq_libomp)
runner_libs = ",".join(runner_libs)
config.substitutions.append(("%mlir_runner_libs", runner_libs))
config.substitutions.append(("%dq_src_root", config.dq_src_root))
config.substitutions.append(("%dq_obj_root", config.dq_obj_root))
# Not "%python": lit.llvm already defines that as its own interpreter.
config.substitutions.append(("%dq_python", config.dq_python))
# DQPlugin.so: dq for upstream mlir-opt (--load-dialect/pass-plugin).
config.substitutions.append(
    ("%dq_plugin", os.path.join(config.dq_obj_root, "lib", "DQPlugin.so")))

llvm_config.add_tool_substitutions(
    ["dq-opt", "dq-run", "dq-compile", "dq-stats", "dq-quant", "dq-capi-test",
     "dq-llm-generate",
     "mlir-opt",
     "mlir-runner"],
    [config.dq_tools_dir, config.llvm_tools_dir])

# Execution tests that compare against numpy need it; without it they are
# reported UNSUPPORTED (skipped), never passed.
if subprocess.call([config.dq_python, "-c", "import numpy"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
    config.available_features.add("numpy")
else:
    lit_config.note("numpy not found for %s: numpy tests are skipped"
                    % config.dq_python)

# `cuda-device`: a CUDA driver and at least one device are really usable
# (libcuda.so.1 loads, cuInit succeeds, a device is counted). GPU execution
# tests require it and report UNSUPPORTED (skipped) elsewhere.
def _cuda_device_usable():
    import ctypes
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
        count = ctypes.c_int(0)
        return (cuda.cuInit(0) == 0 and
                cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 and
                count.value > 0)
    except (OSError, AttributeError):
        return False


if _cuda_device_usable():
    config.available_features.add("cuda-device")
else:
    lit_config.note("no CUDA driver/device: GPU execution tests are skipped")

# `cuda-toolkit`: ptxas is available to assemble kernels (format=bin|fatbin).
import shutil
_ptxas = shutil.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas"
    if os.path.exists("/usr/local/cuda/bin/ptxas") else None)
if _ptxas:
    config.available_features.add("cuda-toolkit")
    config.substitutions.append(
        ("%cuda_toolkit", os.path.dirname(os.path.dirname(os.path.realpath(_ptxas)))))

def _python_with(imports, env_var, venvs):
    """$env_var, else the first of the repository's venvs, whose Python can
    `import imports`; None when there is none."""
    candidates = [os.environ.get(env_var)] + [
        os.path.join(config.dq_src_root, venv, "bin", "python3")
        for venv in venvs]
    for python in candidates:
        if python and os.access(python, os.X_OK) and subprocess.call(
                [python, "-c", "import " + imports],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
            return python
    return None


# `torch`: a Python with torch and torch-mlir (heavy PyPI packages, never
# installed by the test set-up): $DQ_TORCH_PYTHON, else the benchmark venv
# .venv-bench if it has them. Tests of the PyTorch tooling require it and
# report UNSUPPORTED (skipped) elsewhere.
_torch = _python_with("torch, torch_mlir", "DQ_TORCH_PYTHON", [".venv-bench"])
if _torch:
    config.available_features.add("torch")
    config.substitutions.append(("%torch_python", _torch))
    # `transformers`: the decoder-LLM tests build their models with it.
    if subprocess.call([_torch, "-c", "import transformers"],
                       stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL) == 0:
        config.available_features.add("transformers")
    else:
        lit_config.note("transformers not found for %s: decoder-LLM tests "
                        "are skipped" % _torch)
else:
    lit_config.note("no Python with torch and torch-mlir (set "
                    "DQ_TORCH_PYTHON): PyPI-torch tests are skipped")

# `ray`: a Python with Ray and numpy, for quantize_model.py --executor ray
# (PyPI ray is heavy, never installed by the test set-up;
# bench/scale/setup-ray.sh makes .venv-ray/): $DQ_RAY_PYTHON, else
# .venv-ray, else .venv-bench, if it has them. The Ray tests require it and
# report UNSUPPORTED (skipped) elsewhere.
_ray = _python_with("ray, numpy", "DQ_RAY_PYTHON", [".venv-ray", ".venv-bench"])
if _ray:
    config.available_features.add("ray")
    config.substitutions.append(("%ray_python", _ray))
else:
    lit_config.note("no Python with ray and numpy (bench/scale/setup-ray.sh, "
                    "or set DQ_RAY_PYTHON): the Ray tests are skipped")

# `clang-format-22` (Debian clang-format-22, installed by scripts/setup.sh)
# and a git checkout: the formatting check runs on the tracked sources.
import shutil
if shutil.which("clang-format-22"):
    config.available_features.add("clang-format-22")
if os.path.isdir(os.path.join(config.dq_src_root, ".git")) or \
        os.path.isfile(os.path.join(config.dq_src_root, ".git")):
    config.available_features.add("git-checkout")

# `asan`: a build with ASan + UBSan (-DDQ_SANITIZE=ON, from
# scripts/test-sanitizers.sh). Peak-memory figures mean nothing there (shadow
# memory, quarantine), and ASan reserves terabytes of address space, so
# %limit_address_space_1g (ulimit -v 1 GiB for the command that follows) is
# empty there.
_memory_limit = os.path.join(config.test_source_root, "Reliability", "Inputs",
                             "memory_limit.sh")
if str(getattr(config, "dq_sanitize", "")).upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("asan")
    config.substitutions.append(("%limit_address_space_1g", ""))
else:
    config.substitutions.append(("%limit_address_space_1g",
                                 _memory_limit + " 1024"))

# `fuzzers`: the libFuzzer targets of fuzz/ are built, in $DQ_FUZZ_BUILD_DIR
# (default build-fuzz/ next to the sources) by scripts/fuzz.sh --build-only,
# which scripts/test.sh runs first. test/Fuzz replays their corpora and
# fuzzes each for $DQ_FUZZ_TEST_SECONDS (default 15) seconds. Without the
# fuzzers, or with DQ_FUZZ=0, those tests report UNSUPPORTED (skipped).
_fuzz_bin = os.path.join(
    os.environ.get("DQ_FUZZ_BUILD_DIR") or
    os.path.join(config.dq_src_root, "build-fuzz"), "bin")
_fuzz_targets = ("safetensors", "npy", "stats", "ir", "quant")
if os.environ.get("DQ_FUZZ", "1") != "0" and all(
        os.access(os.path.join(_fuzz_bin, "dq-fuzz-" + t), os.X_OK)
        for t in _fuzz_targets):
    config.available_features.add("fuzzers")
    config.substitutions.append(("%dq_fuzz_bin", _fuzz_bin))
    config.substitutions.append(
        ("%dq_fuzz_seconds", os.environ.get("DQ_FUZZ_TEST_SECONDS", "15")))
else:
    lit_config.note("fuzzers not built in %s or DQ_FUZZ=0: fuzz tests are "
                    "skipped" % _fuzz_bin)
