//===- Passes.td - dq conversion passes --------------------*- tablegen -*-===//

#ifndef DQ_CONVERSION_PASSES_TD
#define DQ_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def DQLowerToLinalg : Pass<"dq-lower-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower dq weights and ops to upstream linalg/tensor/arith";
  let description = [{
    The portable lowering: after it, the IR uses upstream dialects only and
    parses with a plain `mlir-opt` (no dq dialect), so IREE, torch-mlir or
    any MLIR stack can take it.

    - `dq.constant` becomes three `arith.constant dense_resource<...>`
      tensors (packed `i8` integer part, scale, offset), keeping the blobs.
    - The packed `tensor<N x ceil(K*bits/8) x i8>` is unpacked into the
      logical `tensor<N x K x iB>` by a `linalg.generic` that reads the
      byte(s) holding each field through `floordiv` indexing maps and
      extracts it with shifts and masks. Upstream MLIR has no width-changing
      tensor bitcast; a stack that has one (IREE's `flow.tensor.bitcast`)
      can replace this generic.
    - `dq.dequantize` becomes a `linalg.generic` over the logical `iB`
      tensor and the per-group scale and offset: `W = s * Q + z` in f32,
      then rounded to the result type. This is the pattern IREE and
      torch-mlir recognise as a dequantization.
    - `dq.matmul` becomes that dequantization feeding a `linalg.matmul`
      with a transposed-B `indexing_maps` (the weight is `[N, K]`), with f32
      accumulation; leading batch dimensions are collapsed into M and
      expanded back, and half-precision results are rounded once at the end.
    - `dq.split` / `dq.build` are resolved through the data flow.

    A weight must be produced by `dq.constant` or `dq.build` in the same
    function; weights passed as block arguments are reported as unsupported.
    `dq.observe` has no portable lowering (it needs the calibration runtime)
    and is reported as an error.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def DQLowerObservers : Pass<"dq-lower-observers", "::mlir::ModuleOp"> {
  let summary = "Lower dq.observe to calls into the dq runtime";
  let description = [{
    Replaces each `dq.observe %x layer "name"` by its input and a call

    ```mlir
    func.call @dqrt_observe_f32(%name, %x_unranked)
        : (!llvm.ptr, tensor<*xf32>) -> ()
    ```

    where `%name` points to a NUL-terminated copy of the layer name (an
    `llvm.mlir.global` constant) and `%x_unranked` is the observed tensor,
    extended to f32 (exactly) and cast to an unranked tensor. The callee is
    declared with `llvm.emit_c_interface`; after bufferization and lowering
    the code calls `_mlir_ciface_dqrt_observe_f32(const char *, unranked
    memref descriptor *)`, which the dq runtime exports and which
    accumulates `XᵀX` and the row count per layer while `dq-run
    --calibrate` runs the module. Part of `--dq-cpu-pipeline`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def DQLowerMatmulCPU : Pass<"dq-lower-matmul-cpu", "::mlir::ModuleOp"> {
  let summary = "Lower dq.matmul on n16k4 weights to vectorized CPU kernels";
  let description = [{
    Replaces every `dq.matmul` whose weight is an `n16k4` `dq.constant`
    (see `--dq-pack-weights`) by a call to a kernel function generated in
    the module (one per weight shape and type combination, named
    `__dq_matmul_...`). Kernels are built from `scf` loops, `vector` ops on
    512-bit vectors (16 rows of a tile in the 32-bit lanes) and, where the
    target has them, the AVX-512 VNNI `vpdpbusd` intrinsic; threads split
    the row tiles through `scf.parallel` (OpenMP after the CPU pipeline).

    A call converts the activation once into a zero-padded f32 copy with
    per-group sums, then, for each tile of 16 output rows and each block of
    up to `m-block` activation rows, walks the groups of K:

    - `activations=f32` (default, exact): fields are unpacked with shifts
      and masks, converted to f32 and multiplied with broadcast activations
      in f32 FMAs; per group, `y += s * Σ x·u + (z - s·2^(bits-1)) * Σ x`.
      Only the accumulation order differs from `dq.dequantize` + matmul.
    - `activations=int8` (opt-in): each activation group is quantized to
      int8 with its own scale `a = max|x| / 127`; integer dot products of
      the unsigned fields with the int8 activations (`vpdpbusd` on
      AVX-512 VNNI) give `Σ xq·Q` exactly, and `y += s·a·Σ xq·Q + z·Σ x`
      uses the exact float sum for the offset. The added error is the
      activation rounding, at most `|s|·a/2·Σ|Q|` per group.

    `target` selects the instruction set: `host` (the compiling machine:
    `avx512` with VNNI if present, else `avx2`, else `generic`),
    `avx512`, `avx2` (no AVX-512 instructions; kernels carry
    `target_cpu = "haswell"`) or `generic` (plain vector code for any
    LLVM target; on x86 kernels carry `target_cpu = "x86-64"`).

    The pass runs at the tensor level: the call site bridges tensors and
    the kernel's memrefs with `bufferization.to_buffer` / `to_tensor`, so
    one-shot bufferization follows. Kernels are only declared here, marked
    with a `dq.cpu_kernel` attribute recording their parameters;
    `--dq-build-cpu-kernels` writes their bodies after buffer deallocation
    (whose analysis rejects the LLVM intrinsics the bodies call). Other dq
    ops are left for `--dq-lower-to-linalg`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
  let options = [
    Option<"target", "target", "std::string", "\"host\"",
           "Instruction set: host, avx512, avx2 or generic">,
    Option<"activations", "activations", "std::string", "\"f32\"",
           "Activation arithmetic: f32 (exact) or int8 (quantized per group)">,
    Option<"mBlock", "m-block", "unsigned", "8",
           "Activation rows per register block: 1, 2, 4 or 8">,
    Option<"parallel", "parallel", "bool", "true",
           "Split row tiles across threads (scf.parallel)">,
  ];
  let statistics = [
    Statistic<"numLowered", "lowered-matmuls", "dq.matmul ops lowered">,
    Statistic<"numKernels", "kernels", "Kernel functions declared">,
  ];
}

def DQBuildCPUKernels : Pass<"dq-build-cpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Write the bodies of the kernels --dq-lower-matmul-cpu declared";
  let description = [{
    Every private `func.func` declaration carrying a `dq.cpu_kernel`
    attribute (written by `--dq-lower-matmul-cpu`: the n16k4 weight type,
    activation type, target, route, row block and threading) gets its body:
    `memref`, `scf` (`scf.parallel` over the row tiles when threaded) and
    `vector` ops, plus `llvm.call_intrinsic` of `vpdpbusd` for the int8
    route on AVX-512. The body allocates its scratch buffers and frees them
    before returning; the attribute is removed. A malformed attribute or a
    marked function that already has a body is an error.

    `--dq-cpu-pipeline` runs it after bufferization and buffer deallocation.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
  let statistics = [
    Statistic<"numBuilt", "built-kernels", "Kernel bodies written">,
  ];
}

#endif // DQ_CONVERSION_PASSES_TD
