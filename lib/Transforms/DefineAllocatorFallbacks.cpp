//===- DefineAllocatorFallbacks.cpp - weak libc bodies for generic allocs -===//
//
// The runtime's buffer pool replaces these bodies; every other host runs them.
//
//===----------------------------------------------------------------------===//

#include "dq/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQDEFINEALLOCATORFALLBACKS
#include "dq/Transforms/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;

namespace {

/// A generic allocation function and the libc function its fallback calls
/// with the same arguments.
struct Fallback {
  StringRef generic;
  StringRef libc;
};

constexpr Fallback kFallbacks[] = {
    {"_mlir_memref_to_llvm_alloc", "malloc"},
    {"_mlir_memref_to_llvm_aligned_alloc", "aligned_alloc"},
    {"_mlir_memref_to_llvm_free", "free"},
};

struct DefineAllocatorFallbacks
    : dq::impl::DQDefineAllocatorFallbacksBase<DefineAllocatorFallbacks> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder builder(module.getContext());
    for (const Fallback &fallback : kFallbacks) {
      auto generic = module.lookupSymbol<LLVM::LLVMFuncOp>(fallback.generic);
      if (!generic || !generic.isExternal())
        continue;
      LLVM::LLVMFunctionType type = generic.getFunctionType();
      // The libc function has the same signature (size_t is the index
      // width the lowering used).
      auto libc = module.lookupSymbol<LLVM::LLVMFuncOp>(fallback.libc);
      if (!libc) {
        builder.setInsertionPointToEnd(module.getBody());
        libc = LLVM::LLVMFuncOp::create(builder, generic.getLoc(),
                                        fallback.libc, type);
      } else if (libc.getFunctionType() != type) {
        generic.emitError()
            << "cannot define a fallback for '" << fallback.generic << "': '"
            << fallback.libc << "' is declared with another type";
        return signalPassFailure();
      }
      generic.setLinkage(LLVM::Linkage::Weak);
      Block *body = generic.addEntryBlock(builder);
      builder.setInsertionPointToStart(body);
      auto call = LLVM::CallOp::create(builder, generic.getLoc(), libc,
                                       body->getArguments());
      LLVM::ReturnOp::create(builder, generic.getLoc(), call.getResults());
    }
  }
};

} // namespace
