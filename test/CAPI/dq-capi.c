/*===- dq-capi.c - a C client of the dq dialect C API
 * ----------------------===*/
/* RUN: dq-capi-test 2>&1 | FileCheck %s
 *
 * Registers dq through its C API, builds and queries !dq.weight types, shows
 * that an invalid one is refused with the verifier's diagnostic, then parses
 * a module and runs dq's portable lowering on it through the pass manager's
 * C API. Every check prints what it saw; FileCheck compares with the values
 * that the parameters given here imply. */

#include "dq-c/DQ.h"

#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void printToStdout(MlirStringRef text, void *userData) {
  (void)userData;
  fwrite(text.data, 1, text.length, stdout);
}

static MlirLogicalResult printDiagnostic(MlirDiagnostic diagnostic,
                                         void *userData) {
  (void)userData;
  printf("diagnostic: ");
  mlirDiagnosticPrint(diagnostic, printToStdout, NULL);
  printf("\n");
  return mlirLogicalResultSuccess();
}

static void printType(const char *label, MlirType type) {
  printf("%s: ", label);
  mlirTypePrint(type, printToStdout, NULL);
  printf("\n");
}

static int testWeightType(MlirContext ctx) {
  MlirLocation loc = mlirLocationUnknownGet(ctx);
  MlirType w = dqWeightTypeGetChecked(loc, 64, 128, 2, 32, mlirF16TypeGet(ctx));
  if (mlirTypeIsNull(w) || !dqTypeIsAWeight(w))
    return 1;
  // CHECK: weight: !dq.weight<[64, 128], bits = 2, group = 32, scale = f16>
  printType("weight", w);
  // CHECK-NEXT: rows 64 cols 128 bits 2 group 32 groups 4 layout row_major
  MlirStringRef layout = dqWeightTypeGetLayout(w);
  printf("rows %lld cols %lld bits %u group %lld groups %lld layout %.*s\n",
         (long long)dqWeightTypeGetRows(w), (long long)dqWeightTypeGetCols(w),
         dqWeightTypeGetBits(w), (long long)dqWeightTypeGetGroupSize(w),
         (long long)dqWeightTypeGetNumGroups(w), (int)layout.length,
         layout.data);
  // CHECK-NEXT: scale: f16
  printType("scale", dqWeightTypeGetScaleType(w));
  // CHECK-NEXT: int: tensor<64x128xi2>
  printType("int", dqWeightTypeGetIntTensorType(w));
  // 128 two-bit fields are 32 bytes a row.
  // CHECK-NEXT: packed: tensor<64x32xi8>
  printType("packed", dqWeightTypeGetPackedTensorType(w));
  // CHECK-NEXT: typeid equal: 1
  printf("typeid equal: %d\n",
         mlirTypeIDEqual(mlirTypeGetTypeID(w), dqWeightTypeGetTypeID()));
  // CHECK-NEXT: f32 is a weight: 0
  printf("f32 is a weight: %d\n", dqTypeIsAWeight(mlirF32TypeGet(ctx)));

  // Per-channel: -1 is one group per row.
  MlirType perChannel =
      dqWeightTypeGetChecked(loc, 8, 40, 3, -1, mlirBF16TypeGet(ctx));
  // CHECK-NEXT: per-channel: !dq.weight<[8, 40], bits = 3, group = 40, scale =
  // bf16>
  printType("per-channel", perChannel);

  // Invalid parameters: a diagnostic and a null type, never a crash.
  // CHECK-NEXT: diagnostic: unsupported bit width 5; expected 2, 3, 4 or 8
  // CHECK-NEXT: 5 bits: null
  MlirType bad = dqWeightTypeGetChecked(loc, 8, 40, 5, 8, mlirF16TypeGet(ctx));
  printf("5 bits: %s\n", mlirTypeIsNull(bad) ? "null" : "not null");
  // CHECK-NEXT: diagnostic: group size 7 must divide the column count 40
  // CHECK-NEXT: group 7 of 40: null
  bad = dqWeightTypeGetChecked(loc, 8, 40, 2, 7, mlirF16TypeGet(ctx));
  printf("group 7 of 40: %s\n", mlirTypeIsNull(bad) ? "null" : "not null");
  // CHECK-NEXT: diagnostic: scale type must be f16, bf16 or f32, got 'i32'
  // CHECK-NEXT: i32 scale: null
  bad = dqWeightTypeGetChecked(loc, 8, 40, 2, 8, mlirIntegerTypeGet(ctx, 32));
  printf("i32 scale: %s\n", mlirTypeIsNull(bad) ? "null" : "not null");
  return 0;
}

static const char *kModule =
    "func.func @forward(%x: tensor<2x8xf32>, %q: tensor<4x8xi2>,\n"
    "                   %s: tensor<4x2xf32>, %z: tensor<4x2xf32>)\n"
    "    -> tensor<2x4xf32> {\n"
    "  %w = dq.build %q, %s, %z\n"
    "      : !dq.weight<[4, 8], bits = 2, group = 4, scale = f32>\n"
    "  %y = dq.matmul %x, %w : tensor<2x8xf32>,\n"
    "      !dq.weight<[4, 8], bits = 2, group = 4, scale = f32>\n"
    "      -> tensor<2x4xf32>\n"
    "  return %y : tensor<2x4xf32>\n"
    "}\n";

static int testPipeline(MlirContext ctx) {
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kModule));
  if (mlirModuleIsNull(module))
    return 2;
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  MlirOpPassManager opm = mlirPassManagerGetAsOpPassManager(pm);
  MlirLogicalResult parsed = mlirParsePassPipeline(
      opm, mlirStringRefCreateFromCString("builtin.module(dq-lower-to-linalg)"),
      printToStdout, NULL);
  if (mlirLogicalResultIsFailure(parsed))
    return 3;
  MlirLogicalResult ran =
      mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module));
  // CHECK: lowered:
  // CHECK: func.func @forward
  // CHECK-NOT: dq.
  // CHECK: linalg.generic
  // CHECK: return
  printf("lowered:\n");
  mlirOperationPrint(mlirModuleGetOperation(module), printToStdout, NULL);
  printf("\n");
  mlirPassManagerDestroy(pm);
  mlirModuleDestroy(module);
  return mlirLogicalResultIsSuccess(ran) ? 0 : 4;
}

int main(void) {
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  dqRegisterAllDialects(registry);
  MlirContext ctx = mlirContextCreateWithRegistry(registry, false);
  mlirDialectRegistryDestroy(registry);
  mlirContextLoadAllAvailableDialects(ctx);
  mlirContextAttachDiagnosticHandler(ctx, printDiagnostic, NULL, NULL);
  dqRegisterAllPasses();

  int status = testWeightType(ctx);
  if (status == 0)
    status = testPipeline(ctx);

  // The dialect handle, as mlir-c's own dialects have one.
  // CHECK: namespace: dq
  MlirStringRef ns =
      mlirDialectHandleGetNamespace(mlirGetDialectHandle__dq__());
  printf("namespace: %.*s\n", (int)ns.length, ns.data);
  // CHECK: status: 0
  printf("status: %d\n", status);
  mlirContextDestroy(ctx);
  return status;
}
