//===- LowerObservers.cpp - dq.observe to dq runtime calls ----------------===//

#include "dq/Conversion/Passes.h"

#include "DQ/IR/DQOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQLOWEROBSERVERS
#include "dq/Conversion/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;

/// The runtime entry point (docs/runtime.md, "Calibration").
static constexpr llvm::StringLiteral kObserveFn = "dqrt_observe_f32";

namespace {

struct DQLowerObserversPass
    : public mlir::dq::impl::DQLowerObserversBase<DQLowerObserversPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<ObserveOp> observers;
    module.walk([&](ObserveOp op) { observers.push_back(op); });
    if (observers.empty())
      return;

    MLIRContext *ctx = &getContext();
    OpBuilder builder(ctx);
    Type f32 = builder.getF32Type();
    auto unranked = UnrankedTensorType::get(f32);
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    SymbolTable symbols(module);

    // One declaration of the runtime function, with a C interface so the
    // unranked tensor arrives as a pointer to its memref descriptor.
    auto callee = symbols.lookup<func::FuncOp>(kObserveFn);
    auto calleeType = builder.getFunctionType({ptr, unranked}, {});
    if (!callee) {
      builder.setInsertionPointToStart(module.getBody());
      callee = func::FuncOp::create(builder, module.getLoc(), kObserveFn,
                                    calleeType);
      callee.setPrivate();
      callee->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
      // The runtime only reads the tensor; telling bufferization so avoids
      // a copy (which an unranked tensor could not even get).
      callee.setArgAttr(1, "bufferization.access",
                        builder.getStringAttr("read"));
      symbols.insert(callee);
    } else if (callee.getFunctionType() != calleeType) {
      callee.emitOpError() << "conflicts with the dq runtime's " << kObserveFn
                           << " of type " << calleeType;
      return signalPassFailure();
    }

    // One NUL-terminated string global per layer name.
    llvm::StringMap<LLVM::GlobalOp> names;
    for (ObserveOp observe : observers) {
      StringRef layer = observe.getLayer();
      LLVM::GlobalOp &global = names[layer];
      if (!global) {
        builder.setInsertionPointToStart(module.getBody());
        std::string text = (layer + Twine('\0')).str();
        auto type = LLVM::LLVMArrayType::get(builder.getI8Type(), text.size());
        global = LLVM::GlobalOp::create(
            builder, observe.getLoc(), type, /*isConstant=*/true,
            LLVM::Linkage::Internal, "__dq_layer_" + Twine(names.size()).str(),
            builder.getStringAttr(text));
        symbols.insert(global);
      }

      builder.setInsertionPoint(observe);
      Location loc = observe.getLoc();
      Value x = observe.getInput();
      auto type = llvm::cast<RankedTensorType>(x.getType());
      if (type.getElementType() != f32)
        x = arith::ExtFOp::create(builder, loc, type.clone(f32), x);
      Value cast = tensor::CastOp::create(builder, loc, unranked, x);
      Value address = LLVM::AddressOfOp::create(builder, loc, global);
      func::CallOp::create(builder, loc, callee, ValueRange{address, cast});
      observe.replaceAllUsesWith(observe.getInput());
      observe.erase();
    }
  }
};

} // namespace
