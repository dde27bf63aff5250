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
      extracts it with shifts and masks. At 3 bits with K a multiple of 8,
      blocks of 8 fields fill 3 bytes exactly: the row is reshaped to
      `[K/8, 3]` bytes and the fields to `[K/8, 8]`, so every map is a plain
      dimension or constant (IREE cannot tile `(k*3) floordiv 8`); and the
      fields go to dequantization sign-extended to `i8` (IREE rejects
      buffers of `i3`).
      Upstream MLIR has no width-changing tensor bitcast; a stack that has
      one (IREE's `flow.tensor.bitcast`) can replace this generic.
    - `dq.dequantize` becomes a `linalg.generic` over the logical `iB`
      tensor and the per-group scale and offset: `W = s * Q + z` in f32,
      then rounded to the result type. This is the pattern IREE and
      torch-mlir recognise as a dequantization.
    - `dq.matmul` becomes that dequantization feeding a `linalg.matmul`
      with a transposed-B `indexing_maps` (the weight is `[N, K]`), with f32
      accumulation; leading batch dimensions are collapsed into M and
      expanded back, and half-precision results are rounded once at the end.
    - `dq.split` / `dq.build` are resolved through the data flow.

    It is a dialect conversion (the patterns of
    `dq/Conversion/DQToLinalg/DQToLinalg.h`, which other stacks can add to
    their own conversions): a `!dq.weight` converts 1:N to its three tensors
    (at 3 bits the integer part as sign-extended `i8`, which `dq.split`
    narrows back to `i3`), so weights may be function arguments and
    results, cross `func.call`, `scf.for` / `scf.while` / `scf.if` regions
    and `cf` branches. Reported as errors: a weight reaching any other op, a
    weight in a repacked layout, and `dq.observe` (it needs the calibration
    runtime).
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
    Replaces every `dq.matmul` whose weight is in the `n16k4` layout (see
    `--dq-pack-weights`) by a `dq.kernel` that calls a kernel function
    generated in the module (one per weight shape and type combination,
    named `__dq_matmul_...`). Kernels are built from `scf` loops, `vector` ops on
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

    The pass runs at the tensor level and is a thin driver over the
    patterns of `dq/Conversion/DQToCPU/DQToCPU.h`: an n16k4 weight converts
    1:N to its stored parts (packed bytes, tiled scale and offset), so it
    may come from a `dq.constant` (which becomes three `arith.constant`), a
    function argument, a call's result or an `scf`/`cf` region, and each
    `dq.matmul` on it becomes a `dq.kernel` whose config
    `#dq_cpu.matmul<...>` records the weight type and the options; the
    activation's batch dimensions collapse to M and the output, padded to
    whole tiles of 16 rows, is sliced back to N. `dq.kernel` bufferizes
    through `BufferizableOpInterface`, and `--dq-build-cpu-kernels` writes
    the kernel functions after buffer deallocation (whose analysis rejects
    the LLVM intrinsics the kernels call). Weights in other layouts and the
    other dq ops are left for `--dq-lower-to-linalg`; an n16k4 weight that
    reaches any other op is an error.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::dq_cpu::DQCPUDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let options = [
    Option<"target", "target", "::mlir::dq::CPUTargetOption",
           "::mlir::dq::CPUTargetOption::Host",
           "Instruction set of the kernels", "DQ_CPU_TARGET_VALUES">,
    Option<"activations", "activations", "::mlir::dq::ActivationsOption",
           "::mlir::dq::ActivationsOption::F32",
           "Activation arithmetic of the kernels", "DQ_ACTIVATIONS_VALUES">,
    Option<"mBlock", "m-block", "unsigned", "8",
           "Activation rows per register block: 1, 2, 4 or 8">,
    Option<"parallel", "parallel", "bool", "true",
           "Split row tiles across threads (scf.parallel)">,
  ];
  let statistics = [
    Statistic<"numLowered", "lowered-matmuls", "dq.matmul ops lowered">,
    Statistic<"numKernels", "kernels", "Distinct kernels called">,
  ];
}

def DQBuildCPUKernels : Pass<"dq-build-cpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Write the CPU kernels of bufferized dq.kernel ops and call them";
  let description = [{
    For every bufferized `dq.kernel` with a `#dq_cpu.matmul` config, writes
    its callee once (a private function of `memref`, `scf` (`scf.parallel`
    over the row tiles when threaded) and `vector` ops, plus
    `llvm.call_intrinsic` of `vpdpbusd` for the int8 route on AVX-512; it
    allocates its scratch buffers and frees them before returning) and
    replaces the op by a `func.call` of it: an operand whose buffer type
    the callee's argument type does not surely hold (an activation with a
    non-unit inner stride, say) is copied. Errors: a `dq.kernel` still on
    tensors, a callee the module already defines, one callee used with two
    configurations.

    `--dq-cpu-pipeline` runs it after bufferization and buffer deallocation.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
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

def DQVectorizeLinalgCPU : Pass<"dq-vectorize-linalg-cpu", "::mlir::func::FuncOp"> {
  let summary = "Tile and vectorize the tensor-level linalg ops left for the CPU";
  let description = [{
    Runs on linalg-on-tensors (after `--dq-lower-matmul-cpu` and
    `--dq-lower-to-linalg`, before bufferization) and makes the ops the dq
    kernels do not cover (attention's batch matmuls, softmax, layer
    normalization, activations, float matmuls) vector code:

    1. Elementwise producers are fused into their consumers
       (upstream linalg elementwise fusion), except where a consumer with
       reductions would read a producer's element more than once (a
       contraction would recompute it per output column).
    2. Each op is tiled over its parallel dimensions (`scf.forall`, which
       becomes OpenMP with `threads`; `scf.for` otherwise, and for ops of
       fewer than `min-parallel-work` loop iterations, such as a decoder's
       one-token norms and activations, whose work is shorter than an
       OpenMP fork):
       - contractions (`linalg.matmul`, `batch_matmul` and equivalent
         generics): 8 output rows x 16 or 32 columns, with the reduction
         dimensions then stepped one at a time in `scf.for`; the
         accumulator tile is hoisted out of that loop so it stays in
         registers, and `vector.contract` becomes outer-product FMAs;
       - other ops: up to 64 elements of the output's innermost dimension
         per tile, reductions whole (`vector.multi_reduction`, then
         `vector.reduction`); ops that would need more than 4096 vector
         elements, or have dynamic shapes, are left as they are.
    3. The tiles are vectorized with `linalg::vectorize` (gathers for
       `tensor.extract` in bodies). A tile the vectorizer rejects (an
       argmax's two-result reduction, for one) stays a linalg op and takes
       the loop lowering like any other.

    With `approximate-math` (default), f32 `math.exp` and `math.erf`
    become upstream's polynomial approximations (vector code; libm has no
    vector forms, so they would otherwise be one call per element). They
    differ from libm by a few ulp (see the integration test's bound).

    Otherwise, results are those of the scalar loops up to floating-point
    reassociation inside a contraction's or reduction's order of
    accumulation: contractions keep the k order per output element;
    whole-dimension reductions use the ordered `vector.reduction`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
  let options = [
    Option<"threads", "threads", "bool", "true",
           "Tile the parallel dimensions with scf.forall (for OpenMP)">,
    Option<"minParallelWork", "min-parallel-work", "int64_t", "32768",
           "Ops with fewer loop iterations (the product of their loop "
           "ranges) than this run their tiles in scf.for on one thread: an "
           "OpenMP parallel region costs about a microsecond to start, more "
           "than such an op's work">,
    Option<"approximateMath", "approximate-math", "bool", "true",
           "f32 exp and erf as upstream's vectorizable polynomials instead "
           "of libm calls">,
  ];
  let statistics = [
    Statistic<"numVectorized", "vectorized-ops", "Linalg ops vectorized">,
    Statistic<"numScalar", "scalar-ops",
              "Linalg ops left to the loop lowering">,
  ];
}

def DQProfileRegions : Pass<"dq-profile-regions", "::mlir::ModuleOp"> {
  let summary = "Time each kernel call and loop nest, for dq-run --profile";
  let description = [{
    Runs on tensor-level IR after `--dq-vectorize-linalg-cpu` (as
    `--dq-cpu-pipeline=profile=true` places it), before bufferization.
    Each op of a function body that does work gets two calls of
    `_dq_profile_clock()` around it, and after it its call count and
    elapsed nanoseconds are added to row `i` of the public global
    `_dq_profile_counters : memref<Nx2xi64>`. The public global
    `_dq_profile_regions` holds, NUL-terminated, the JSON
    `{"version": 1, "regions": [[function, class, op], ...]}` that names
    each row.

    Timed ops and their classes:
    - `dq.kernel` (the quantized matmul kernels): `dq-matmul`, named by the
      layer (`dq.layer`) and the kernel;
    - loop nests the vectorizer built from a linalg op, linalg ops left to
      scalar loops, and other loops: the linalg op's class (`attention`,
      `matmul`, `normalization`, `elementwise`, `data-movement`,
      `other`; see docs/profile.md for how each is recognized);
    - `tensor.concat`, `tensor.pad`, `tensor.insert_slice` and similar
      copies: `data-movement`; calls: `other`.

    Views, constants, allocations and what bufferization inserts between
    the timed ops are not timed: the runtime reports them as the rest of
    the function's time. Ops that vectorized without any loop (a whole op
    in one vector) are not timed either.

    `_dq_profile_clock` gets a weak body returning 0, which libdqrt's
    definition replaces; hosts without the runtime run the module with
    zero times. Calls from two threads at once would race on the counters.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
  ];
  let statistics = [
    Statistic<"numRegions", "regions", "Ops timed">,
  ];
}

def DQLowerMatmulCUDA : Pass<"dq-lower-matmul-cuda", "::mlir::ModuleOp"> {
  let summary = "Lower dq.matmul on gpu_chunked weights to CUDA kernel calls";
  let description = [{
    Replaces every `dq.matmul` by a `dq.kernel` whose config
    `#dq_gpu.matmul<...>` records the weight type and the kernel
    configuration and whose callee is a host function
    (`__dq_cuda_matmul_<i>`): one per constant weight and configuration,
    which keeps that weight's device copy between calls, and one per
    configuration for the weights that are not constants, copied on every
    call. `dq.kernel` bufferizes through `BufferizableOpInterface`;
    `--dq-build-cuda-kernels` writes the host functions and the GPU kernels
    after bufferization. Like `--dq-lower-matmul-cpu`, it is a thin driver
    over patterns (`dq/Conversion/DQToGPU/DQToCUDA.h`): a gpu_chunked
    weight converts 1:N to its stored parts, so it may be a function
    argument or result or cross `func.call`, `scf` and `cf` regions.

    The route is chosen per call from the static activation row count M:

    - `gemv` when M <= `gemv-max-m` (and for f32 activations at any M,
      `gemv-max-m` rows per block row): bandwidth-bound, one warp per
      `rows-per-warp` output rows, 16-byte loads of the packed weight,
      shift/mask/exponent-trick unpacking in registers, f32 FMAs, and a
      `gpu.shuffle xor` reduction;
    - `gemm` otherwise (f16/bf16 activations, including a dynamic M): tiles
      of `tile-m` x `tile-n` staged in workgroup memory, the weight
      dequantized to the activation type while staging, `nvvm.mma.sync`
      m16n8k16 with f32 accumulators.

    Every weight of a `dq.matmul` must be in the `gpu_chunked` layout
    (`--dq-pack-weights=layout=gpu_chunked` repacks constants); a weight in
    another layout (from `dq.build`, or a constant left unpacked) is an
    error, and so is a gpu_chunked weight reaching any other op. Other dq
    ops are left for `--dq-lower-to-linalg` (host code).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::dq_gpu::DQGPUDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let options = [
    Option<"gemvMaxM", "gemv-max-m", "unsigned", "8",
           "Largest static M (0 to 8; 0: never) that takes the gemv route">,
    Option<"rowsPerWarp", "rows-per-warp", "unsigned", "2",
           "gemv: output rows per warp (1 to 8)">,
    Option<"warps", "warps", "unsigned", "4",
           "gemv: warps per block (1 to 32)">,
    Option<"tileM", "tile-m", "unsigned", "64",
           "gemm: activation rows per block tile (32, 64 or 128)">,
    Option<"tileN", "tile-n", "unsigned", "64",
           "gemm: output columns per block tile (16, 32, 64 or 128)">,
    Option<"poison", "poison", "bool", "true",
           "Fill the device output with NaN before the kernel runs "
           "(unwritten elements show)">,
    Option<"repeat", "repeat", "unsigned", "1",
           "Launches of each matmul kernel per call (benchmarks subtract two "
           "repeat counts to time the kernel alone)">,
  ];
  let statistics = [
    Statistic<"numLowered", "lowered-matmuls", "dq.matmul ops lowered">,
    Statistic<"numHostFunctions", "host-functions",
              "Distinct host functions called">,
  ];
}

def DQBuildCUDAKernels : Pass<"dq-build-cuda-kernels", "::mlir::ModuleOp"> {
  let summary = "Write the host code and GPU kernels of bufferized dq.kernel ops and call them";
  let description = [{
    For every bufferized `dq.kernel` with a `#dq_gpu.matmul` config, writes
    its callee once, a private host function in `gpu`, `memref`, `scf`,
    `arith` and a few `llvm` ops (the globals that keep the device copies
    of a constant weight between calls), and replaces the op by a
    `func.call` of it (copying an operand whose buffer type the callee's
    argument type does not surely hold). The kernels it launches are
    generated into one `gpu.module @__dq_cuda_kernels` (from `gpu`, `arith`, `vector`,
    `memref`, `scf`, `math` and `nvvm.mma.sync`), which carries an
    `#nvvm.target` for `chip` and `features`; the module becomes a
    `gpu.container_module`.

    `--dq-cuda-pipeline` runs it after bufferization; the kernels are then
    lowered with `convert-gpu-to-nvvm` and serialized with
    `gpu-module-to-binary`, the host code with `gpu-to-llvm`.

    Errors: an unsupported chip (the kernels need `mma.sync` with bf16:
    sm_80 or newer), a `dq.kernel` still on tensors, a callee the module
    already defines, one callee used with two configurations.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
  let options = [
    Option<"chip", "chip", "std::string", "\"sm_90\"",
           "Target GPU: sm_80, sm_86, sm_87, sm_89, sm_90 or sm_90a">,
    Option<"features", "features", "std::string", "\"+ptx80\"",
           "PTX features (the PTX ISA version)">,
    Option<"optLevel", "opt-level", "unsigned", "3",
           "Optimization level of the NVPTX back end">,
  ];
  let statistics = [
    Statistic<"numBuilt", "built-host-functions", "Host functions written">,
    Statistic<"numKernels", "kernels", "GPU kernels generated">,
  ];
}

def DQCheckCUDAToolkit : Pass<"dq-check-cuda-toolkit", "::mlir::ModuleOp"> {
  let summary = "Check that the CUDA toolkit a binary format needs is there";
  let description = [{
    `format=bin` (cubin) and `format=fatbin` make `gpu-module-to-binary`
    run the CUDA toolkit's `ptxas` (and `fatbinary`); `format=isa` (PTX,
    compiled by the driver when the module loads) needs no toolkit. The
    toolkit is, in order: the `toolkit` option, `$CUDA_HOME`, the
    directory above a `ptxas` on `PATH`, `/usr/local/cuda`. When the format
    needs a toolkit and none is found (or the named one lacks the tools),
    the pass fails with an error saying where it looked, before any code is
    generated. An unknown format is an error too. `--dq-cuda-pipeline` runs
    it first.
  }];
  let options = [
    Option<"format", "format", "::mlir::dq::CUDABinaryFormat",
           "::mlir::dq::CUDABinaryFormat::Isa", "Kernel binary format",
           "DQ_CUDA_FORMAT_VALUES">,
    Option<"toolkit", "toolkit", "std::string", "\"\"",
           "CUDA toolkit directory (default: $CUDA_HOME, the directory above "
           "ptxas on PATH, /usr/local/cuda)">,
  ];
}

def DQExportQuant : Pass<"dq-export-quant", "::mlir::ModuleOp"> {
  let summary = "Export dq weights to upstream !quant.uniform sub-channel types";
  let description = [{
    Rewrites every `row_major` `dq.constant` whose offsets are integer
    multiples of its scales (`z = -zp * s`, see docs/quant-interop.md) into
    upstream `quant` IR:

    - an `arith.constant` of the logical integer tensor
      `tensor<N x K x iB>` (or `i8` with `storage-type=i8`),
    - a `quant.scast` to
      `tensor<N x K x !quant.uniform<iB:f32:{0:1, 1:G}, {{s:zp, ...}}>>`
      (one scale and zero point per row and per group of G columns; the
      expressed type is always f32, which holds f16, bf16 and f32 scales
      exactly),
    - `dq.dequantize` becomes `quant.dcast` (+ `arith.truncf` for f16/bf16
      results), `dq.matmul` becomes `quant.dcast` feeding the f32
      `linalg.matmul` of the portable lowering.

    A weight is representable when every scale is positive and every
    offset is exactly `-zp * s` for an integer `zp` that the storage type
    holds; then `s * q + z = (q - zp) * s`, and with f16/bf16 scales dq's
    dequantization and `--lower-quant-ops` agree bit for bit. Otherwise the pass fails with an
    error that names the weight, the row and the group and says why
    (non-positive scale, non-integer zero point, zero point out of range);
    with `allow-partial=true` such weights stay dq values and get a remark.
    Weights used by other ops than `dq.dequantize` / `dq.matmul` are
    handled the same way.
  }];
  let options = [
    Option<"allowPartial", "allow-partial", "bool", /*default=*/"false",
           "Leave weights that are not representable as they are (with a "
           "remark) instead of failing">,
    Option<"storageType", "storage-type", "std::string",
           /*default=*/"\"logical\"",
           "Storage of the integer part: `logical` (iB, zero points within "
           "the B-bit range) or `i8` (i8 storage restricted to the B-bit "
           "range, zero points anywhere in [-128, 127])">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::quant::QuantDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def DQImportQuant : Pass<"dq-import-quant", "::mlir::ModuleOp"> {
  let summary = "Import upstream !quant.uniform constant weights as dq weights";
  let description = [{
    The inverse of `--dq-export-quant`: a
    `quant.dcast(quant.scast(arith.constant <integer tensor>))` whose type
    is a 2-D `!quant.uniform` sub-channel type with blocks of (1 row, G
    columns), or a per-axis type along axis 0 (G = K), becomes a
    `dq.constant` (packed `row_major` blob, scale `s`, offset `z = -zp * s`
    rounded once to the scale type) and a `dq.dequantize`. When the
    dequantized weight only feeds `linalg.matmul`s that read it transposed
    (`indexing_maps` (m, k), (n, k), (m, n), accumulating into a zero
    `linalg.fill`; the torch `Linear` pattern), those become `dq.matmul`.

    Errors name the op and the reason: per-tensor types, blocks other than
    (1, G) along K, unsigned storage, storage ranges that are not a dq bit
    width (2, 3, 4, 8), expressed types other than f32, and scales that the
    requested scale type does not hold exactly.
  }];
  let options = [
    Option<"scaleType", "scale-type", "std::string", /*default=*/"\"f32\"",
           "Float type of the imported scales and offsets: f32, f16 or bf16">,
    Option<"fuseMatmuls", "fuse-matmuls", "bool", /*default=*/"true",
           "Turn transposed-B linalg.matmul users into dq.matmul">,
  ];
  let dependentDialects = [
    "::mlir::dq::DQDialect",
    "::mlir::quant::QuantDialect",
  ];
}

#endif // DQ_CONVERSION_PASSES_TD
