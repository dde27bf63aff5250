//===- DQOps.h - dq operations ----------------------------------*- C++ -*-===//

#ifndef DQ_IR_DQOPS_H
#define DQ_IR_DQOPS_H

#include "DQ/IR/DQDialect.h"
#include "DQ/IR/DQTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "DQ/IR/DQOps.h.inc"

namespace mlir::dq {
/// Checks the operands of a matmul kernel on the stored parts of `weight`
/// (for KernelConfigAttrInterface::verifyKernelOperands): inputs are the
/// activations [M, K] (f32, f16 or bf16), the packed integer part, the
/// stored scale and the stored offset in the weight's layout; the output is
/// [M, outputCols] of the activation type. All are tensors or all memrefs.
LogicalResult
verifyMatmulKernelOperands(function_ref<InFlightDiagnostic()> emitError,
                           WeightType weight, int64_t outputCols,
                           TypeRange inputs, TypeRange outputs);
} // namespace mlir::dq

#endif // DQ_IR_DQOPS_H
