//===- Bufferization.cpp - BufferizableOpInterface for dq.kernel ----------===//
//
// dq.kernel is in destination-passing style: each output bufferizes in
// place (the upstream model for such ops decides aliasing), and the
// bufferized op takes the operands' buffers and has no results.
//
//===----------------------------------------------------------------------===//

#include "dq/Conversion/KernelCall/KernelCall.h"

#include "DQ/IR/DQDialect.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::bufferization;

namespace {

struct KernelOpBufferization
    : public DstBufferizableOpInterfaceExternalModel<KernelOpBufferization,
                                                     KernelOp> {
  /// Kernels write every element of their outputs and never read them, so
  /// an output needs no initial contents.
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &) const {
    return llvm::cast<KernelOp>(op).isDpsInput(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto kernel = llvm::cast<KernelOp>(op);
    auto buffers = [&](ValueRange values,
                       SmallVectorImpl<Value> &out) -> LogicalResult {
      for (Value value : values) {
        if (!llvm::isa<TensorType>(value.getType())) {
          out.push_back(value);
          continue;
        }
        FailureOr<Value> buffer = getBuffer(rewriter, value, options, state);
        if (failed(buffer))
          return failure();
        out.push_back(*buffer);
      }
      return success();
    };
    SmallVector<Value> inputs, outputs;
    if (failed(buffers(kernel.getInputs(), inputs)) ||
        failed(buffers(kernel.getOutputs(), outputs)))
      return failure();
    rewriter.setInsertionPoint(op);
    KernelOp::create(rewriter, op->getLoc(), TypeRange{},
                     kernel.getCalleeAttr(), kernel.getConfig(), inputs,
                     outputs);
    replaceOpWithBufferizedValues(rewriter, op, outputs);
    return success();
  }
};

} // namespace

void mlir::dq::registerKernelBufferizationModel(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, DQDialect *) {
    KernelOp::attachInterface<KernelOpBufferization>(*ctx);
  });
}
