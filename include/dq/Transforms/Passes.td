//===- Passes.td - dq transformation passes ----------------*- tablegen -*-===//

#ifndef DQ_TRANSFORMS_PASSES_TD
#define DQ_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DQExportABI : Pass<"dq-export-abi", "::mlir::func::FuncOp"> {
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

    An argument with `dq.tied_result = j` is *tied* to result `j` (IREE's
    tied operands, JAX's donated buffers): the caller hands its buffer over
    for that result, which is how a KV cache is updated in place across
    calls. It is marked writable, so bufferization may update it in place,
    and its signature entry carries `"tied_result": j`. The runtime then
    returns result `j` in the argument's memory (docs/runtime.md). The
    argument and the result must have the same ranked tensor type, and no
    two arguments may be tied to one result.

    An integer argument with `dq.bounds = array<i64: lo, hi>` carries
    `"bounds": [lo, hi]` in its entry: the runtime checks every element
    against the inclusive range before the call and refuses the call,
    naming the element, when one is outside (a token id past the
    vocabulary, a position past the KV cache would otherwise index outside
    a table).

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

def DQQuantize : Pass<"dq-quantize", "::mlir::ModuleOp"> {
  let summary = "Quantize constant weights of matmuls into dq weights";
  let description = [{
    Replaces the constant weight of every weight-bearing matmul (the forms
    and layer names of `--dq-instrument`, docs/quantize.md) by a
    `dq.constant` quantized with a registered method (decoupleQ, GPTQ,
    RTN; `dq-quant --list-methods` lists them with their own options) from
    the layer's
    calibration statistics (`stats=FILE`, written by `dq-run --calibrate`,
    `dq-stats merge` or scripts/torch_calibrate.py), and the matmul by a
    `dq.matmul` (plus an add when the matmul accumulated into a non-zero
    init). The weight constant and the layout ops feeding it are removed
    when nothing else uses them.

    ```
    dq-opt --dq-quantize="stats=stats.safetensors method=decoupleq bits=2 group-size=64"
    ```

    A method's own options beyond `iters` and `int-step` go in
    `method-options=key=value,...` (e.g. `method-options=pgd-steps=40`); the
    options are parsed by the same code as dq-quant's, with the same
    messages.

    Per-layer overrides take `glob:value` entries, matched against layer
    names in order, first match wins: `layer-bits=*.down:4`,
    `layer-group-size=*.fc2:-1`, `layer-method=...`. `skip=` lists globs of
    layers to leave in float; `layers=` restricts quantization to matching
    layers (sequential calibration quantizes a model a few layers at a
    time). `group-size=-1` is per-channel.

    Each layer's result is reported on stderr (name, shape, settings,
    normalized error `Σ(ŵ-w)ᵀH(ŵ-w) / ΣwᵀHw` with the stored scale and
    offset, seconds), then a summary table. Layers run `parallel-layers` at
    a time, each on `threads / parallel-layers` threads, all of them tasks
    of the context's thread pool (one layer at a time on one thread when
    the context's multithreading is disabled); the result does not depend
    on either.

    `weights=FILE` imports layers quantized elsewhere (a sequential
    calibration in PyTorch, examples/llm/quantize_llm.py, or another tool)
    from a dq-quantized-model checkpoint (docs/weights-format.md) instead of
    solving again: a layer in the file gets its Q, scale and offset as they
    are, with the file's bit width and group size (they win over `bits`,
    `group-size` and the overrides); layers not in the file are quantized
    from `stats=` as usual, and without `stats=` they are an error unless
    `skip=` or `layers=` leaves them out. A layer of the file that names no
    weight-bearing matmul of the module is an error (a naming mismatch would
    otherwise leave the model silently in float). Imported layers are
    reported as `imported`, with no error figure (the file has no
    statistics to measure it against). The file's `NAME.value` tensors
    (float parameters refined along with the layers, such as norm weights)
    replace the values of the module's `arith.constant dense_resource<NAME>`;
    one that names no such constant is an error too.

    ```
    dq-opt --dq-quantize="weights=w2g64.safetensors skip=*embed_tokens*"
    ```

    `budget=B` is mixed precision under a size budget: every layer
    quantized from statistics is quantized in each candidate configuration
    (`budget-bits` × `budget-group-sizes`; group sizes that do not divide
    K are left out), its error measured (`budget-cost=output`, the default:
    Σ(ŵ-w)ᵀH(ŵ-w), the squared error it adds to its outputs; `relative`:
    the normalized error), and the configurations whose summed error is
    least with at most B bits per weight overall (packed Q plus the
    scales and offsets) are chosen exactly (a multiple-choice knapsack over
    the Pareto front of size and error). Layers with a `layer-bits` or
    `layer-group-size` override keep it and take their share of the budget.
    The choice is printed as a table (layer, configuration, error, bytes),
    with the summed error of the uniform `bits`/`group-size` beside it, and
    written to `budget-report=FILE` as JSON; each chosen layer is then
    quantized again in its configuration, which its `dq.constant`'s type
    records. Measuring costs one quantization per candidate and layer;
    `budget-costs=FILE` reuses the errors of an earlier run's report (the
    same statistics and settings are the caller's to ensure) for every
    layer of the same name and shape that has all of its candidates there,
    so that trying another budget measures nothing again.
    `budget-weights=FILE` (a JSON object of layer name -> weight; every
    layer the budget chooses for needs one) makes each layer's cost its
    error times its weight, e.g. a model-level sensitivity such as the mean
    squared gradient of the loss at the layer's output (HAWQ-style); the
    report keeps the unweighted errors, which budget-costs reuses.

    ```
    dq-opt --dq-quantize="stats=stats.safetensors budget=2.5 budget-bits=2,3,4 budget-report=choice.json"
    ```

    A method that needs no data (`rtn`) runs without statistics, and on
    layers that the statistics lack, with H = I: the printed error is then
    the plain weight error.

    Errors: an unknown method (the message lists the registered ones), an
    unknown or malformed option, no statistics for a layer whose method
    needs them (or a warning and the layer skipped with
    `allow-missing-stats`), a K that differs
    between statistics and weight, a group size that does not divide K, a
    bit width outside 2/3/4/8, malformed overrides, unreadable or invalid
    statistics, a budget below what the candidates allow, a bad
    `budget-bits` or `budget-group-sizes` entry, a budget with no layer
    to quantize from statistics, and a malformed checkpoint or a checkpoint layer whose
    shape differs from its weight's or that names no matmul, and a
    `.value` that names no constant or whose dtype, shape or values do not
    fit it.
    Matmuls whose constant operand cannot be handled get a remark.
  }];
  let dependentDialects = ["::mlir::dq::DQDialect",
                           "::mlir::arith::ArithDialect"];
  let options = [
    Option<"statsFile", "stats", "std::string", "",
           "Calibration statistics file (safetensors)">,
    Option<"weightsFile", "weights", "std::string", "",
           "Checkpoint of layers quantized elsewhere, imported as they are "
           "(dq-quantized-model safetensors, docs/weights-format.md)">,
    Option<"method", "method", "std::string", "\"decoupleq\"",
           "Quantization method (dq-quant --list-methods)">,
    Option<"bits", "bits", "unsigned", "2", "Bit width: 2, 3, 4 or 8">,
    Option<"groupSize", "group-size", "int64_t", "64",
           "Columns per scale/offset pair; -1 for per-channel">,
    Option<"iters", "iters", "unsigned", "4", "decoupleQ outer iterations">,
    Option<"intStep", "int-step", "std::string", "\"gptq\"",
           "decoupleQ integer step: gptq, pgd or flexround">,
    Option<"scaleType", "scale-type", "std::string", "\"f16\"",
           "Storage type of scale and offset: f16, bf16 or f32">,
    Option<"damp", "damp", "double", "0.01",
           "Damping: H + damp * mean(diag H) * I">,
    Option<"threads", "threads", "unsigned", "0",
           "Worker threads in total (0: all cores)">,
    Option<"parallelLayers", "parallel-layers", "unsigned", "1",
           "Layers quantized at the same time">,
    ListOption<"methodOptions", "method-options", "std::string",
               "A method's own options, key=value (dq-quant --list-methods)">,
    ListOption<"layerBits", "layer-bits", "std::string",
               "Per-layer bit widths, glob:bits">,
    ListOption<"layerGroupSize", "layer-group-size", "std::string",
               "Per-layer group sizes, glob:size">,
    ListOption<"layerMethod", "layer-method", "std::string",
               "Per-layer methods, glob:method">,
    ListOption<"skip", "skip", "std::string",
               "Globs of layers to leave unquantized">,
    ListOption<"layers", "layers", "std::string",
               "Globs of the only layers to quantize (default: all)">,
    Option<"allowMissingStats", "allow-missing-stats", "bool", "false",
           "Skip layers without statistics (with a warning)">,
    Option<"quiet", "quiet", "bool", "false",
           "No per-layer progress or summary on stderr">,
    Option<"budget", "budget", "double", "0",
           "Bits per weight (Q, scale and offset counted) for the layers "
           "quantized from statistics together: each layer's bits and group "
           "size are chosen to minimise the summed error (0: off)">,
    ListOption<"budgetBits", "budget-bits", "unsigned",
               "Bit widths budget= chooses from (default 2,3,4,8)">,
    ListOption<"budgetGroupSizes", "budget-group-sizes", "int64_t",
               "Group sizes budget= chooses from, -1 per-channel (default "
               "32,64,128,-1)">,
    Option<"budgetCost", "budget-cost", "::mlir::dq::BudgetCost",
           "::mlir::dq::BudgetCost::Output",
           "The per-layer error budget= minimises the sum of",
           "DQ_BUDGET_COST_VALUES">,
    Option<"budgetReport", "budget-report", "std::string", "",
           "JSON file for budget='s measurements and choice">,
    Option<"budgetCosts", "budget-costs", "std::string", "",
           "A budget-report of an earlier run: its measured errors are "
           "reused for layers of the same name and shape">,
    Option<"budgetWeights", "budget-weights", "std::string", "",
           "JSON object of layer name -> weight: budget= minimises the sum "
           "of weight x error (a model-level sensitivity per layer)">,
  ];
  let statistics = [
    Statistic<"numQuantized", "quantized-layers", "Layers quantized">,
    Statistic<"numSkipped", "skipped-layers",
              "Layers left in float (skip list, missing stats, unsupported)">,
    Statistic<"floatBytes", "float-weight-bytes",
              "Bytes of the float weights replaced">,
    Statistic<"quantBytes", "quantized-weight-bytes",
              "Bytes of the dq weights (packed Q, scale, offset)">,
  ];
}

def DQReuseInputBuffers : Pass<"dq-reuse-input-buffers", "::mlir::func::FuncOp"> {
  let summary = "Let elementwise ops write over an input that is dead after them";
  let description = [{
    A `linalg.generic` without reductions whose destination is a
    `tensor.empty` takes as destination instead an input of the result's
    type read through the identity map, when nothing reads that input
    afterwards and it is not a caller-owned function argument (one that is
    not `bufferization.writable`). One-shot bufferization then updates that
    buffer in place rather than allocating a new one. The CPU and CUDA
    pipelines run it right before bufferization; it is what lets a tied KV
    cache (`dq.tied_result`) be updated in the caller's memory.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def DQElideTiedResults : Pass<"dq-elide-tied-results", "::mlir::ModuleOp"> {
  let summary = "Return tied results in their argument's buffer, not as results";
  let description = [{
    Runs after one-shot bufferization. For every public function whose
    result `j` is the very buffer of the argument tied to it
    (`dq.tied_result = j`, see `--dq-export-abi`), the result is removed
    from the function and its `dq.abi` entry gets `"in_place": true`: the
    runtime then hands the argument's memory back as that result. Without
    this, buffer deallocation would clone the argument to return it (a
    function's results must be owned by its caller), and a KV cache would
    be copied on every decoding step.

    A tied result that bufferization could not update in place (another
    result still needs the old value, say) stays a result; the runtime
    copies it into the argument and counts the copy
    (`dqrt_function_num_tied_copies`). Functions with callers inside the
    module are left alone.
  }];
}

def DQFoldConstantTransposes : Pass<"dq-fold-constant-transposes", "::mlir::ModuleOp"> {
  let summary = "Transpose constant weights at compile time, not on every call";
  let description = [{
    Replaces each `linalg.transpose` of an `arith.constant` (a
    `dense_resource` blob or dense elements, any element type of whole
    bytes) by a constant holding the transposed data, a new blob named
    after the old one with a `.transposed` suffix.

    Why: PyTorch's `linear(x, W)` reaches linalg as `matmul(x,
    transpose(W))`. Every linear that `--dq-quantize` left in float, and
    the lm_head tied to the embedding, otherwise copied its whole weight on
    every call: 113 MB per decoded token for SmolLM2's lm_head, plus the
    page faults of allocating the copy.

    Memory: a constant whose only user was the transpose dies with it. One
    that is also used elsewhere (a tied embedding, whose rows a gather
    reads) is stored twice, once per layout.
  }];
}

def DQDefineAllocatorFallbacks : Pass<"dq-define-allocator-fallbacks", "::mlir::ModuleOp"> {
  let summary = "Give the generic allocation functions weak bodies that call libc";
  let description = [{
    Runs after `finalize-memref-to-llvm{use-generic-functions=true}`, which
    makes every `memref.alloc`/`memref.dealloc` call
    `_mlir_memref_to_llvm_alloc`, `_mlir_memref_to_llvm_aligned_alloc` and
    `_mlir_memref_to_llvm_free` instead of `malloc`/`free`. Each of them
    that the module declares gets a weak body forwarding to `malloc`,
    `aligned_alloc` or `free`.

    Why: the dq runtime (libdqrt) defines these functions as a buffer pool
    that keeps freed intermediate buffers for the next call. Without it a
    decoder's `decode` step gets fresh pages from the kernel for every
    intermediate, every step, and spends a third of its time in page
    faults. A weak definition yields to libdqrt's where the runtime loads
    the module (its symbols are global, and the JIT drops the weak bodies),
    while any other host (`mlir-runner`, a program that `dlopen`s a
    `dq-compile` object) still runs the module on libc's allocator.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def DQOutlineParallelLoops : Pass<"dq-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Move each outermost scf.parallel of a large function into a function of its own";
  let description = [{
    For every function holding at least `min-loops` outermost
    `scf.parallel` loops, each such loop moves into a new private function
    (`<function>_parallel<N>`) whose arguments are the values the loop
    uses from outside; constants are cloned in rather than passed. The
    loop's results, if any, become the function's.

    Why: the OpenMP translation outlines every `omp.parallel` region with
    LLVM's CodeExtractor, which scans the whole enclosing function each
    time. A decoder's `decode` is one function with about a thousand
    parallel loops, so the translation was quadratic in the model's size
    (most of a minute per module for SmolLM2). After this pass every
    parallel region sits alone in a small function. The CPU pipeline runs
    it right before `convert-scf-to-openmp`.
  }];
  let options = [
    Option<"minLoops", "min-loops", "unsigned", /*default=*/"2",
           "Outline the loops of functions with at least this many outermost "
           "scf.parallel loops">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def DQPackWeights : Pass<"dq-pack-weights", "::mlir::ModuleOp"> {
  let summary = "Repack constant weights into a target storage layout";
  let description = [{
    Rewrites every `row_major` `dq.constant` whose only users are
    `dq.matmul` ops into the storage layout that a target's kernels read,
    recorded in the weight type's `layout` parameter. `layout=NAME` names a
    registered layout (an attribute implementing `WeightLayoutAttrInterface`
    of a loaded dialect; an unknown name is an error listing the known
    ones), which does the packing. The data is repacked
    at compile time into new `dense_resource` blobs (named after the
    original with the layout appended); nothing is shuffled at run time.

    `layout=n16k4` (`#dq_cpu.n16k4`, the default, used by
    `--dq-cpu-pipeline`) tiles rows by
    16 and interleaves columns by 4 so that one 64-byte load holds one
    32-bit word per row; fields become offset binary (`Q + 2^(bits-1)`),
    groups are padded to whole chunks, and scale and offset are tiled the
    same way (see docs/decoupled-format.md).

    `layout=gpu_chunked` (`#dq_gpu.chunked`, used by `--dq-cuda-pipeline`)
    keeps rows in order
    and cuts each group into 16-byte chunks of offset-binary fields (12
    bytes at 3 bits), one per GPU lane and load; scale and offset stay
    row-major.

    Constants used by anything but `dq.matmul` (`dq.dequantize`,
    `dq.split`) keep their layout. A constant whose data was elided cannot
    be repacked and is reported as an error.
  }];
  let dependentDialects = ["::mlir::dq::DQDialect"];
  let options = [
    Option<"layout", "layout", "std::string", "\"n16k4\"",
           "Target layout, by name (n16k4, gpu_chunked, ...)">,
  ];
  let statistics = [
    Statistic<"numPacked", "packed-weights", "Weights repacked">,
    Statistic<"numKept", "kept-weights",
              "Weights left in their layout (not only used by dq.matmul)">,
  ];
}

#endif // DQ_TRANSFORMS_PASSES_TD
