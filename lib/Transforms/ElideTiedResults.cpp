//===- ElideTiedResults.cpp - tied results stay in their argument ---------===//

#include "dq/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/Support/JSON.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQELIDETIEDRESULTS
#include "dq/Transforms/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;

namespace {

/// Marks results `inPlace` of the dq.abi JSON `abi` as "in_place".
FailureOr<std::string> markInPlace(StringRef abi,
                                   const llvm::BitVector &inPlace) {
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(abi);
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return failure();
  }
  llvm::json::Object *object = parsed->getAsObject();
  llvm::json::Array *results = object ? object->getArray("results") : nullptr;
  if (!results || results->size() != inPlace.size())
    return failure();
  for (unsigned j : inPlace.set_bits())
    if (llvm::json::Object *entry = (*results)[j].getAsObject())
      (*entry)["in_place"] = true;
    else
      return failure();
  std::string text;
  llvm::raw_string_ostream os(text);
  os << *parsed;
  return text;
}

struct DQElideTiedResultsPass
    : public mlir::dq::impl::DQElideTiedResultsBase<DQElideTiedResultsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>()) {
      auto abi = func->getAttrOfType<StringAttr>("dq.abi");
      if (!abi || func.isExternal() ||
          !SymbolTable::symbolKnownUseEmpty(func, module))
        continue;
      auto returnOp =
          llvm::dyn_cast<func::ReturnOp>(func.getBody().back().getTerminator());
      if (!returnOp || !func.getBody().hasOneBlock())
        continue;
      llvm::BitVector inPlace(func.getNumResults());
      for (unsigned i = 0; i < func.getNumArguments(); ++i) {
        auto tied = func.getArgAttrOfType<IntegerAttr>(i, "dq.tied_result");
        if (!tied || tied.getInt() < 0 ||
            tied.getInt() >= int64_t(func.getNumResults()))
          continue;
        unsigned j = tied.getInt();
        if (returnOp.getOperand(j) == func.getArgument(i))
          inPlace.set(j);
      }
      if (inPlace.none())
        continue;
      FailureOr<std::string> updated = markInPlace(abi.getValue(), inPlace);
      if (failed(updated)) {
        func.emitOpError() << "has a malformed dq.abi attribute";
        return signalPassFailure();
      }
      func->setAttr("dq.abi", StringAttr::get(&getContext(), *updated));
      returnOp->eraseOperands(inPlace);
      if (failed(func.eraseResults(inPlace)))
        return signalPassFailure();
    }
  }
};

} // namespace
