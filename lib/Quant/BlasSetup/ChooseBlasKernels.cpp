//===- ChooseBlasKernels.cpp - AVX-512 OpenBLAS kernels on AMD -----------===//
//
// Debian's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels by CPU model
// when it is loaded, and does not know AMD Zen 4/5 as AVX-512 cores: it
// falls back to its AVX2 (Haswell) kernels, about 0.6x the GEMM throughput
// of its AVX-512 (SkylakeX) ones there (docs/quantization.md, "BLAS
// kernels"). Its only switch is OPENBLAS_CORETYPE, read by its load-time
// constructor, before main. So main() sets it and executes itself again.
// (A DT_PREINIT_ARRAY hook cannot do it: glibc resets the environment to the
// initial one after the pre-initializers run.)
//
//===----------------------------------------------------------------------===//

#include "dq/Quant/BlasSetup.h"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace {
bool hasAVX512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512cd");
}

bool isAVX512Core(const char *Name) {
  for (const char *Core : {"skylakex", "cooperlake", "sapphirerapids"})
    if (strcasecmp(Name, Core) == 0)
      return true;
  return false;
}
} // namespace

void dq::preferAVX512Blas(char **Argv) {
  if (std::getenv("OPENBLAS_CORETYPE") || !hasAVX512())
    return;
  // Intel's AVX-512 cores are recognised by OpenBLAS itself.
  __builtin_cpu_init();
  if (!__builtin_cpu_is("amd"))
    return;
  if (setenv("OPENBLAS_CORETYPE", "SkylakeX", /*overwrite=*/0) != 0)
    return;
  execv("/proc/self/exe", Argv);
  // Not reached unless exec failed: go on with OpenBLAS's own choice.
  unsetenv("OPENBLAS_CORETYPE");
}

std::optional<std::string> dq::describeSlowBlasCore(const char *CoreName) {
  if (!hasAVX512() || isAVX512Core(CoreName))
    return std::nullopt;
  const char *Env = std::getenv("OPENBLAS_CORETYPE");
  std::string Msg = std::string("OpenBLAS runs its ") + CoreName +
                    " kernels on this AVX-512 CPU";
  if (Env)
    Msg += std::string(" (OPENBLAS_CORETYPE=") + Env + " is set)";
  Msg += "; OPENBLAS_CORETYPE=SkylakeX selects its AVX-512 kernels, up to "
         "1.7x faster GEMMs";
  return Msg;
}
