//===- DQDialect.cpp - the dq dialect -------------------------------------===//

#include "DQ/IR/DQDialect.h"
#include "DQ/IR/DQOps.h"
#include "DQ/IR/DQTypes.h"

using namespace mlir;
using namespace mlir::dq;

#include "DQ/IR/DQDialect.cpp.inc"

void DQDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "DQ/IR/DQOps.cpp.inc"
      >();
  registerTypes();
}
