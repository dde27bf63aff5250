//===- CUDAKernel.h - GPU kernels for dq.matmul on gpu_chunked --*- C++ -*-===//
//
// --dq-lower-matmul-cuda replaces each dq.matmul on a gpu_chunked weight
// by a dq.kernel with a #dq_gpu.matmul config whose callee is a host
// function:
//
//   func.func private @__dq_cuda_matmul_<i>(
//       %x: memref<?xKxT, strided<[?, 1], offset: ?>>,  // activations
//       %packed: memref<N x RowBytes x i8>,               // gpu_chunked
//       %scale: memref<N x G x F>, %offset: memref<N x G x F>,
//       %y: memref<?xNxT>)                                // output
//
// --dq-build-cuda-kernels, after bufferization, writes it (device copies of
// the weight made once and cached in module globals, or on every call for a
// weight that is not a constant; the activation copied in, the output
// poisoned with NaN, the launches, the output copied back), the kernels it
// launches, in one gpu.module, and calls it:
//
//   - pad:  activations in the layout's padded column order (only when a
//           group is not a whole number of chunks);
//   - gemv: one warp per `rowsPerWarp` output rows, lanes striding over the
//           row's 16-byte chunks, warp-shuffle reduction (M <= 8 per block
//           row; any M for f32 activations);
//   - gemm: tiles staged in workgroup memory, dequantized to f16/bf16 while
//           staging, nvvm.mma.sync m16n8k16 with f32 accumulators.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_LIB_CONVERSION_DQTOGPU_CUDAKERNEL_H
#define DQ_LIB_CONVERSION_DQTOGPU_CUDAKERNEL_H

#include "DQ/IR/DQTypes.h"
#include "GPUAttrs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

#include <string>

namespace mlir::dq {
using ::dq::GPUChunkedGeometry;

using dq_gpu::CUDARoute;

struct CUDAMatmulSpec {
  WeightType weight;
  /// Activation and result element type: f32, f16 or bf16.
  Type activationType;
  CUDARoute route = CUDARoute::GEMV;
  /// GEMV: activation rows per block row (grid.y covers M in these).
  unsigned mBlock = 8;
  /// GEMV: output rows per warp, warps per block.
  unsigned rowsPerWarp = 2, warps = 4;
  /// GEMM: block tile (2 x 2 warps).
  unsigned tileM = 64, tileN = 64;
  /// Fill the device output with NaN before the launch.
  bool poison = true;
  /// Launches of the matmul kernel per call (benchmarking: the difference
  /// of two repeat counts is the kernel time).
  unsigned repeat = 1;
  /// Keep the weight's device copy between calls (constant weights).
  bool cacheWeight = true;

  /// GEMM: columns per k-step, a multiple of every chunk width.
  static constexpr int64_t TileK = 64;

  GPUChunkedGeometry geometry() const {
    return GPUChunkedGeometry(weight.getRows(), weight.getCols(),
                              weight.getBits(), weight.getGroup());
  }
  /// True when the activations must be re-laid in the padded column order.
  bool needsPadding() const {
    return geometry().paddedCols() != weight.getCols();
  }
  /// The spec of a matmul with `config` on activations of `activationType`.
  static CUDAMatmulSpec get(dq_gpu::MatmulConfigAttr config,
                            Type activationType);
  /// The configuration attribute that records this spec (all but the
  /// activation type, which the kernel's operands carry), or null after an
  /// error when the spec breaks one of its invariants.
  dq_gpu::MatmulConfigAttr
  getConfig(function_ref<InFlightDiagnostic()> emitError) const;

  /// A name for the matmul kernel; equal names mean equal code.
  std::string kernelName() const;
  /// A name for the padding kernel.
  std::string padKernelName() const;
  /// memref types of the host function's arguments, in order.
  SmallVector<Type> hostArgumentTypes(MLIRContext *ctx) const;
};

/// The gpu.module that holds every kernel.
constexpr llvm::StringLiteral kCUDAKernelModuleName = "__dq_cuda_kernels";

/// Kernel bodies, one file each. Each builds a gpu.func `name` into
/// `kernels` unless it already exists, and returns it.
gpu::GPUFuncOp buildPadKernel(OpBuilder &b, gpu::GPUModuleOp kernels,
                              const CUDAMatmulSpec &spec);
gpu::GPUFuncOp buildGEMVKernel(OpBuilder &b, gpu::GPUModuleOp kernels,
                               const CUDAMatmulSpec &spec);
gpu::GPUFuncOp buildGEMMKernel(OpBuilder &b, gpu::GPUModuleOp kernels,
                               const CUDAMatmulSpec &spec);

/// Creates the host function `name` for `spec` at the builder's insertion
/// point (a module body): device weights cached in globals (or copied per
/// call), copies, launches of the kernels it adds to `kernels`.
func::FuncOp buildCUDAMatmulHost(OpBuilder &b, Location loc, StringRef name,
                                 const CUDAMatmulSpec &spec,
                                 gpu::GPUModuleOp kernels);

namespace cuda {
/// Small builders shared by the kernel files.
Value idx(OpBuilder &b, Location loc, int64_t v);
Value i32(OpBuilder &b, Location loc, int64_t v);
Value f32(OpBuilder &b, Location loc, double v);
/// Field `e` of a chunk whose words are `words`, as the float u (exact):
/// shifts and masks, then the exponent bits of 2^23 ORed in and 2^23
/// subtracted, so no integer-to-float conversion is needed.
Value decodeField(OpBuilder &b, Location loc, ArrayRef<Value> words,
                  unsigned bits, int64_t e);
/// The per-group scale s and s*(-bias) + z of row `row`, group `group`, in
/// f32.
std::pair<Value, Value> loadScaleOffset(OpBuilder &b, Location loc,
                                        const CUDAMatmulSpec &spec, Value scale,
                                        Value offset, Value row, Value group);
/// The chunk's words: one vector load (16 bytes, or 12 at 3 bits).
SmallVector<Value> loadChunk(OpBuilder &b, Location loc,
                             const CUDAMatmulSpec &spec, Value packed,
                             Value row, Value chunk);
/// Extends to f32 / rounds from f32 (identity for f32).
Value toF32(OpBuilder &b, Location loc, Value v);
Value fromF32(OpBuilder &b, Location loc, Value v, Type type);
/// memref<?xKpxT>, memref<N x RowWords x i32>, memref<N x G x F>,
/// memref<?xNxT>: the matmul kernels' arguments.
SmallVector<Type> kernelArgumentTypes(MLIRContext *ctx,
                                      const CUDAMatmulSpec &spec);
/// Creates an empty kernel `name` with `args` (and workgroup buffers) in
/// `kernels`, or returns the existing one (and null `created`).
gpu::GPUFuncOp getOrCreateKernel(OpBuilder &b, gpu::GPUModuleOp kernels,
                                 StringRef name, TypeRange args,
                                 TypeRange workgroup, bool &created);
} // namespace cuda

} // namespace mlir::dq

#endif // DQ_LIB_CONVERSION_DQTOGPU_CUDAKERNEL_H
