//===- KernelToCall.cpp - a bufferized dq.kernel becomes a func.call ------===//

#include "dq/Conversion/KernelCall/KernelCall.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::dq;

/// True when `value` (static or dynamic) fits `expected` for sure: a static
/// expectation needs the same static value.
static bool fits(int64_t value, int64_t expected) {
  return ShapedType::isDynamic(expected) || value == expected;
}

/// True when a memref of type `from` can be cast to `to` with no run-time
/// condition: every size, stride and offset that `to` fixes is the same
/// static value in `from`.
static bool isSafeCast(MemRefType from, MemRefType to) {
  if (from.getElementType() != to.getElementType() ||
      from.getRank() != to.getRank() ||
      from.getMemorySpace() != to.getMemorySpace())
    return false;
  SmallVector<int64_t> fromStrides, toStrides;
  int64_t fromOffset, toOffset;
  if (failed(from.getStridesAndOffset(fromStrides, fromOffset)) ||
      failed(to.getStridesAndOffset(toStrides, toOffset)))
    return false;
  for (auto [f, t] : llvm::zip(from.getShape(), to.getShape()))
    if (!fits(f, t))
      return false;
  for (auto [f, t] : llvm::zip(fromStrides, toStrides))
    if (!fits(f, t))
      return false;
  return fits(fromOffset, toOffset);
}

namespace {
/// The operands of one call and the copies around it.
struct CallArguments {
  SmallVector<Value> args;
  /// New buffers to free after the call.
  SmallVector<Value> temporaries;
  /// (temporary, output) pairs to copy after the call.
  SmallVector<std::pair<Value, Value>> copyBack;
};
} // namespace

/// Passes `operand` as `to`, adding to `call`; fails when no cast or copy
/// can.
static LogicalResult passOperand(RewriterBase &rewriter, Location loc,
                                 Value operand, MemRefType to, bool isOutput,
                                 CallArguments &call) {
  auto from = llvm::cast<MemRefType>(operand.getType());
  if (from == to) {
    call.args.push_back(operand);
    return success();
  }
  if (isSafeCast(from, to)) {
    call.args.push_back(memref::CastOp::create(rewriter, loc, to, operand));
    return success();
  }
  // A contiguous copy, sized as the operand, then cast to the callee's type.
  auto copyType =
      MemRefType::get(from.getShape(), from.getElementType(),
                      MemRefLayoutAttrInterface(), from.getMemorySpace());
  if (!isSafeCast(copyType, to))
    return failure();
  SmallVector<Value> dynamicSizes;
  for (int64_t i = 0; i < from.getRank(); ++i)
    if (from.isDynamicDim(i))
      dynamicSizes.push_back(memref::DimOp::create(rewriter, loc, operand, i));
  Value copy = memref::AllocOp::create(rewriter, loc, copyType, dynamicSizes);
  if (isOutput)
    call.copyBack.push_back({copy, operand});
  else
    memref::CopyOp::create(rewriter, loc, operand, copy);
  call.temporaries.push_back(copy);
  Value arg = copy;
  if (copyType != to)
    arg = memref::CastOp::create(rewriter, loc, to, copy);
  call.args.push_back(arg);
  return success();
}

LogicalResult mlir::dq::lowerKernelToCall(RewriterBase &rewriter, KernelOp op,
                                          func::FuncOp callee) {
  if (!op.hasPureBufferSemantics())
    return op.emitOpError() << "must be bufferized before it becomes a call";
  FunctionType type = callee.getFunctionType();
  if (type.getNumResults() != 0 || type.getNumInputs() != op->getNumOperands())
    return op.emitOpError()
           << "cannot call @" << callee.getSymName() << " of type " << type
           << " with " << op->getNumOperands() << " operands";
  Location loc = op.getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  CallArguments call;
  for (auto [i, operand, argType] :
       llvm::enumerate(op->getOperands(), type.getInputs())) {
    auto to = llvm::dyn_cast<MemRefType>(argType);
    bool isOutput = op.isDpsInit(&op->getOpOperand(i));
    if (!to || failed(passOperand(rewriter, loc, operand, to, isOutput, call)))
      return op.emitOpError()
             << "cannot pass operand #" << i << " of type " << operand.getType()
             << " as " << argType << " to @" << callee.getSymName();
  }
  func::CallOp::create(rewriter, loc, callee, call.args);
  for (auto [copy, output] : call.copyBack)
    memref::CopyOp::create(rewriter, loc, copy, output);
  for (Value copy : call.temporaries)
    memref::DeallocOp::create(rewriter, loc, copy);
  rewriter.eraseOp(op);
  return success();
}
