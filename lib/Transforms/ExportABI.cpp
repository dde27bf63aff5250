//===- ExportABI.cpp - record function signatures for the runtime ---------===//

#include "dq/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/JSON.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQEXPORTABI
#include "dq/Transforms/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;

namespace {

/// The runtime's name for an element type, or "" when it has none.
StringRef dtypeName(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isF64())
    return "f64";
  if (type.isSignlessInteger(1))
    return "i1";
  if (type.isSignlessInteger(8))
    return "i8";
  if (type.isSignlessInteger(32))
    return "i32";
  if (type.isSignlessInteger(64))
    return "i64";
  return "";
}

/// {"dtype": ..., "shape": [...]}, or failure with a reason.
FailureOr<llvm::json::Value> describe(Type type, std::string &reason) {
  auto shaped = llvm::dyn_cast<ShapedType>(type);
  if (!shaped || !llvm::isa<RankedTensorType, MemRefType>(type) ||
      !shaped.hasRank()) {
    reason = "must be a ranked tensor or memref";
    return failure();
  }
  if (auto memref = llvm::dyn_cast<MemRefType>(type);
      memref && !memref.getLayout().isIdentity()) {
    reason = "must have an identity layout";
    return failure();
  }
  StringRef dtype = dtypeName(shaped.getElementType());
  if (dtype.empty()) {
    reason = "has an element type the runtime does not support (f32, f16, "
             "bf16, f64, i1, i8, i32, i64)";
    return failure();
  }
  llvm::json::Array shape;
  for (int64_t dim : shaped.getShape())
    shape.push_back(ShapedType::isDynamic(dim) ? int64_t(-1) : dim);
  return llvm::json::Value(
      llvm::json::Object{{"dtype", dtype.str()}, {"shape", std::move(shape)}});
}

struct DQExportABIPass
    : public mlir::dq::impl::DQExportABIBase<DQExportABIPass> {
  void runOnOperation() override {
    bool failed = false;
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() || !func.isPublic())
        continue;
      llvm::json::Object abi;
      for (auto [key, types] :
           {std::pair<StringRef, ArrayRef<Type>>{
                "args", func.getFunctionType().getInputs()},
            {"results", func.getFunctionType().getResults()}}) {
        llvm::json::Array entries;
        for (auto [i, type] : llvm::enumerate(types)) {
          std::string reason;
          FailureOr<llvm::json::Value> entry = describe(type, reason);
          if (llvm::failed(entry)) {
            func.emitOpError()
                << (key == "args" ? "argument" : "result") << " #" << i
                << " of type " << type << " " << reason;
            failed = true;
            continue;
          }
          entries.push_back(std::move(*entry));
        }
        abi[key] = std::move(entries);
      }
      std::string text;
      llvm::raw_string_ostream os(text);
      os << llvm::json::Value(std::move(abi));
      func->setAttr("dq.abi", StringAttr::get(&getContext(), text));
      func->setAttr("llvm.emit_c_interface", UnitAttr::get(&getContext()));
      // Callers own the argument buffers (the runtime passes views of them):
      // bufferization must not write results into them in place.
      for (auto [i, type] : llvm::enumerate(func.getFunctionType().getInputs()))
        if (llvm::isa<RankedTensorType>(type))
          func.setArgAttr(i, "bufferization.writable",
                          BoolAttr::get(&getContext(), false));
    }
    if (failed)
      signalPassFailure();
  }
};

} // namespace
