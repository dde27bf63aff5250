//===- Kernel.h - CPU kernels for dq.matmul on n16k4 weights ----*- C++ -*-===//
//
// A kernel is a private function generated into the module for the
// dq.kernel ops with a #dq_cpu.matmul config:
//
//   func.func private @__dq_matmul_...(
//       %x: memref<?xKxT, strided<[?, 1], offset: ?>>,  // activations
//       %packed: memref<Tiles x TileBytes x i8>,          // n16k4 integers
//       %scale: memref<Tiles x G x 16 x F>,
//       %offset: memref<Tiles x G x 16 x F>,
//       %y: memref<?x(Tiles*16)xT>)                      // output, padded
//
// It converts the activations once (zero-padded f32 copy, per-group sums,
// and for the int8 route per-group int8 quantization), then computes each
// tile of 16 output rows in 512-bit registers.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_LIB_CONVERSION_DQTOCPU_KERNEL_H
#define DQ_LIB_CONVERSION_DQTOCPU_KERNEL_H

#include "CPUAttrs.h"
#include "DQ/IR/DQTypes.h"
#include "dq/Conversion/Options.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include <string>

namespace mlir::dq {
using ::dq::N16K4Geometry;

/// Instruction set the kernels are written for (AVX512, AVX2, Generic).
using dq_cpu::CPUTarget;

/// The ISA an option names; Host is the best one this machine has.
CPUTarget resolveCPUTarget(CPUTargetOption option);

struct KernelSpec {
  WeightType weight;
  /// Activation and result element type: f32, f16 or bf16.
  Type activationType;
  CPUTarget target = CPUTarget::Generic;
  /// The opt-in route: int8 activations, integer dot products.
  bool int8 = false;
  /// Largest block of activation rows kept in registers: 1, 2, 4 or 8.
  unsigned mBlock = 8;
  /// Tiles split across threads with scf.parallel.
  bool parallel = true;

  N16K4Geometry geometry() const {
    return N16K4Geometry(weight.getRows(), weight.getCols(), weight.getBits(),
                         weight.getGroup());
  }
  /// The spec of a kernel with `config` on activations of `activationType`.
  static KernelSpec get(dq_cpu::MatmulConfigAttr config, Type activationType);
  /// The configuration attribute that records this spec (all but the
  /// activation type, which the kernel's operands carry), or null after an
  /// error when the spec breaks one of its invariants.
  dq_cpu::MatmulConfigAttr
  getConfig(function_ref<InFlightDiagnostic()> emitError) const;

  /// A name that identifies the kernel's code: equal specs share a kernel.
  std::string name() const;
  /// memref types of the kernel's arguments, in order.
  SmallVector<Type> argumentTypes(MLIRContext *ctx) const;
};

/// Creates the kernel function `name` for `spec` (private, with its body)
/// at the builder's insertion point (a module body). Its scratch buffers are
/// allocated and freed in the body: kernels are built after buffer
/// deallocation, whose analysis does not know the LLVM intrinsics they call.
func::FuncOp buildKernel(OpBuilder &b, Location loc, StringRef name,
                         const KernelSpec &spec);

/// Internal pieces of buildKernel, one file each.
namespace kernel {
/// Scratch buffers the prologue fills for the main loop.
struct Activations {
  /// memref<?x(G*gp)xf32>: zero-padded f32 copy.
  Value padded;
  /// memref<?xGxf32>: per-group sums of the activations.
  Value groupSums;
  /// int8 route only: memref<?x(G*gp)xi8>, memref<?xGxf32> (the scale
  /// a = max|x|/127 of each group) and memref<?xGxi32> (-2^(bits-1) times
  /// the sum of the group's int8 values: added to Σ xq·u it gives Σ xq·Q).
  Value quantized, quantScales, quantBias;
};

/// Allocates and fills the activation buffers from `x` (M rows).
Activations buildPrologue(OpBuilder &b, Location loc, const KernelSpec &spec,
                          Value x, Value m);

/// Computes the output rows [m0, m0 + rows) of tile `tile` into `y`.
void buildTileBlock(OpBuilder &b, Location loc, const KernelSpec &spec,
                    const Activations &act, Value packed, Value scale,
                    Value offset, Value y, Value tile, Value m0, unsigned rows);
} // namespace kernel

} // namespace mlir::dq

#endif // DQ_LIB_CONVERSION_DQTOCPU_KERNEL_H
