//===- Options.h - enum options of dq's lowerings ---------------*- C++ -*-===//
//
// The enums behind --dq-lower-matmul-cpu / --dq-cpu-pipeline (target,
// activations) and the CUDA passes / --dq-cuda-pipeline (format), with their
// one list of spellings: Passes.td and Pipelines.h both name these macros,
// so a pass and its pipeline cannot drift apart, and the option parser
// rejects an unknown value with the list of valid ones.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_OPTIONS_H
#define DQ_CONVERSION_OPTIONS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

namespace mlir::dq {

/// Instruction set of the CPU matmul kernels; Host picks the best one the
/// compiling machine has.
enum class CPUTargetOption { Host, AVX512, AVX2, Generic };

/// Activation arithmetic of the CPU matmul kernels.
enum class ActivationsOption { F32, Int8 };

/// What --dq-cuda-pipeline embeds: PTX, a cubin or a fat binary.
enum class CUDABinaryFormat { Isa, Bin, Fatbin };

/// "isa", "bin" or "fatbin", as gpu-module-to-binary spells them.
llvm::StringRef stringifyCUDABinaryFormat(CUDABinaryFormat format);

} // namespace mlir::dq

#define DQ_CPU_TARGET_VALUES                                                   \
  ::llvm::cl::values(                                                          \
      clEnumValN(::mlir::dq::CPUTargetOption::Host, "host",                    \
                 "the best of the others that this machine has"),              \
      clEnumValN(::mlir::dq::CPUTargetOption::AVX512, "avx512",                \
                 "AVX-512 F/BW with VNNI"),                                    \
      clEnumValN(::mlir::dq::CPUTargetOption::AVX2, "avx2",                    \
                 "AVX2 with FMA and F16C"),                                    \
      clEnumValN(::mlir::dq::CPUTargetOption::Generic, "generic",              \
                 "no ISA-specific code"))

#define DQ_ACTIVATIONS_VALUES                                                  \
  ::llvm::cl::values(                                                          \
      clEnumValN(::mlir::dq::ActivationsOption::F32, "f32",                    \
                 "exact f32 arithmetic"),                                      \
      clEnumValN(::mlir::dq::ActivationsOption::Int8, "int8",                  \
                 "activations quantized to int8 per row and group (VNNI)"))

#define DQ_CUDA_FORMAT_VALUES                                                  \
  ::llvm::cl::values(clEnumValN(::mlir::dq::CUDABinaryFormat::Isa, "isa",      \
                                "PTX, compiled by the driver at load"),        \
                     clEnumValN(::mlir::dq::CUDABinaryFormat::Bin, "bin",      \
                                "a cubin (needs the CUDA toolkit)"),           \
                     clEnumValN(::mlir::dq::CUDABinaryFormat::Fatbin,          \
                                "fatbin",                                      \
                                "a fat binary (needs the CUDA toolkit)"))

#endif // DQ_CONVERSION_OPTIONS_H
