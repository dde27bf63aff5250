//===- Passes.td - dq transformation passes ----------------*- tablegen -*-===//

#ifndef DQ_TRANSFORMS_PASSES_TD
#define DQ_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DQExportABI : Pass<"dq-export-abi", "::mlir::ModuleOp"> {
  let summary = "Record the tensor-level signature of public functions";
  let description = [{
    For every public `func.func` with a body, records its signature as seen
    by callers before bufferization, as a JSON string attribute `dq.abi`:

    ```json
    {"args": [ {"dtype": "f32", "shape": [8, 256]} ],
     "results": [ {"dtype": "f32", "shape": [8, -1]} ]}
    ```

    (`-1` is a dynamic dimension), and sets `llvm.emit_c_interface` so that
    the lowering emits a `_mlir_ciface_<name>` entry point taking memref
    descriptors. The dq runtime reads `dq.abi` to check argument shapes and
    element types and to allocate results; the attribute survives the
    lowering to the LLVM dialect, and ahead-of-time compilation copies it into
    the shared object.

    Tensor arguments are marked `bufferization.writable = false`: their
    buffers belong to the caller, so one-shot bufferization allocates results
    instead of overwriting an argument in place.

    Arguments and results must be ranked tensors or memrefs with an identity
    layout of f32, f16, bf16, f64, i1, i8, i32 or i64; anything else is
    reported as an error naming the function and position.
  }];
}

#endif // DQ_TRANSFORMS_PASSES_TD
