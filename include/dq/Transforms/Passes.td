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

    Arguments and results must be ranked tensors or memrefs with an identity
    layout of f32, f16, bf16, f64, i1, i8, i32 or i64; anything else is
    reported as an error naming the function and position.
  }];
}

def DQInstrument : Pass<"dq-instrument", "::mlir::ModuleOp"> {
  let summary = "Observe the input of every weight-bearing matmul";
  let description = [{
    Inserts `dq.observe %x layer "<name>"` on the activation operand of every
    weight-bearing matmul (a linalg contraction with a constant weight, in
    the forms listed in docs/quantize.md) and records each layer's name in a
    `dq.layer` attribute on the matmul, so that later passes (and the
    quantize pass on a partially quantized module) see the same names.

    Compiled with `--dq-cpu-pipeline` and run by `dq-run --calibrate`, the
    module accumulates each layer's Hessian `H = XᵀX / T` into a statistics
    file for `--dq-quantize`.

    Layer names follow these rules, first match wins: an explicit `dq.layer`
    string attribute on the matmul; a `NameLoc` on the matmul; a `NameLoc`
    on the weight constant; the weight's symbol (global name or
    `dense_resource` key); `<function>.matmul<i>` with `i` counting the
    function's weight-bearing matmuls from 1 in program order. A name used
    twice gets `#2`, `#3`, ... appended.

    Matmuls with a constant operand that cannot be handled are left alone
    with a remark saying why. Running the pass twice observes nothing twice.
  }];
  let dependentDialects = ["::mlir::dq::DQDialect"];
  let statistics = [
    Statistic<"numObserved", "observed-matmuls",
              "Weight-bearing matmuls given an observer">,
    Statistic<"numSkipped", "skipped-matmuls",
              "Matmuls with a constant operand that cannot be observed">,
  ];
}

#endif // DQ_TRANSFORMS_PASSES_TD
