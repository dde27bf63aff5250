/*===-- dq-c/DQ.h - C API of the dq dialect -----------------------*- C -*-===*\
|*                                                                            *|
|* The dq dialect from C, in the style of mlir-c: its dialect handle,         *|
|* !dq.weight construction and queries, and registration of dq's dialects,    *|
|* passes and pipelines. Link libDQCAPI with MLIR's own C API (MLIRCAPIIR).   *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef DQ_C_DQ_H
#define DQ_C_DQ_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(DQ, dq);

/*===----------------------------------------------------------------------===*
 * !dq.weight<[rows, cols], bits = B, group = G, scale = F, layout = L>
 *===----------------------------------------------------------------------===*/

/// True when `type` is a !dq.weight.
MLIR_CAPI_EXPORTED bool dqTypeIsAWeight(MlirType type);

/// The TypeID of !dq.weight.
MLIR_CAPI_EXPORTED MlirTypeID dqWeightTypeGetTypeID(void);

/// A row_major !dq.weight in the context of `loc`; `groupSize` -1 means one
/// group per row. Invalid parameters (bits not 2/3/4/8, a group that does not
/// divide `cols`, a scale type other than f16/bf16/f32, ...) emit the
/// verifier's diagnostic at `loc` and return a null type.
MLIR_CAPI_EXPORTED MlirType dqWeightTypeGetChecked(MlirLocation loc,
                                                   int64_t rows, int64_t cols,
                                                   unsigned bits,
                                                   int64_t groupSize,
                                                   MlirType scaleType);

MLIR_CAPI_EXPORTED int64_t dqWeightTypeGetRows(MlirType type);
MLIR_CAPI_EXPORTED int64_t dqWeightTypeGetCols(MlirType type);
MLIR_CAPI_EXPORTED unsigned dqWeightTypeGetBits(MlirType type);
/// Columns per scale/offset group (`cols` when per-channel).
MLIR_CAPI_EXPORTED int64_t dqWeightTypeGetGroupSize(MlirType type);
MLIR_CAPI_EXPORTED int64_t dqWeightTypeGetNumGroups(MlirType type);
/// The float type of scale and offset.
MLIR_CAPI_EXPORTED MlirType dqWeightTypeGetScaleType(MlirType type);
/// The storage layout's name as the IR spells it ("row_major", "n16k4", ...).
MLIR_CAPI_EXPORTED MlirStringRef dqWeightTypeGetLayout(MlirType type);
/// tensor<rows x cols x iB>: the logical integer part.
MLIR_CAPI_EXPORTED MlirType dqWeightTypeGetIntTensorType(MlirType type);
/// The packed storage tensor in the type's layout.
MLIR_CAPI_EXPORTED MlirType dqWeightTypeGetPackedTensorType(MlirType type);

/*===----------------------------------------------------------------------===*
 * Registration
 *===----------------------------------------------------------------------===*/

/// The dq dialect plus the upstream dialects and interface models that dq's
/// passes and pipelines need.
MLIR_CAPI_EXPORTED void dqRegisterAllDialects(MlirDialectRegistry registry);

/// dq's passes (--dq-*) and pipelines (dq-cpu-pipeline, dq-cuda-pipeline),
/// so that mlirParsePassPipeline finds them. Call it once per process.
MLIR_CAPI_EXPORTED void dqRegisterAllPasses(void);

#ifdef __cplusplus
}
#endif

#endif // DQ_C_DQ_H
