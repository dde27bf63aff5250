//===- DQDialect.h - the dq dialect -----------------------------*- C++ -*-===//

#ifndef DQ_IR_DQDIALECT_H
#define DQ_IR_DQDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "DQ/IR/DQDialect.h.inc"

#endif // DQ_IR_DQDIALECT_H
