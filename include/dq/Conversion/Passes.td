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

#endif // DQ_CONVERSION_PASSES_TD
