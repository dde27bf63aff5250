//===- BlasSetup.h - Which OpenBLAS kernels an executable uses --*- C++ -*-===//
//
// For the mains of executables that run the engine (DQBlasSetup library).
// OpenBLAS chooses its kernels when it is loaded; on AMD CPUs with AVX-512
// Debian's OpenBLAS 0.3.21 picks its AVX2 ones, unless OPENBLAS_CORETYPE
// says otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_QUANT_BLASSETUP_H
#define DQ_QUANT_BLASSETUP_H

#include <optional>
#include <string>

namespace dq {

/// Call first in main(): when OPENBLAS_CORETYPE is unset and the CPU is an
/// AMD one with AVX-512, sets OPENBLAS_CORETYPE=SkylakeX and executes the
/// program again with the same arguments (OpenBLAS reads the variable only
/// when it is loaded). A set OPENBLAS_CORETYPE is always respected.
void preferAVX512Blas(char **Argv);

/// A note for the user when OpenBLAS runs AVX2-or-older kernels (CoreName,
/// from getBlasCoreName()) on a CPU with AVX-512; none otherwise.
std::optional<std::string> describeSlowBlasCore(const char *CoreName);

} // namespace dq

#endif // DQ_QUANT_BLASSETUP_H
