//===- DQOps.h - dq operations ----------------------------------*- C++ -*-===//

#ifndef DQ_IR_DQOPS_H
#define DQ_IR_DQOPS_H

#include "DQ/IR/DQDialect.h"
#include "DQ/IR/DQTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "DQ/IR/DQOps.h.inc"

#endif // DQ_IR_DQOPS_H
