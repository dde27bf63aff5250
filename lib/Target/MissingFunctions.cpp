//===- MissingFunctions.cpp - stubs for functions nobody provides ---------===//

#include "dq/Target/MissingFunctions.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

std::vector<std::string> dqrt::stubMissingFunctions(
    ModuleOp module, llvm::function_ref<bool(llvm::StringRef)> isProvided) {
  std::vector<LLVM::LLVMFuncOp> missing;
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    if (func.isExternal() && func.getName() != kMissingFunctionReporter &&
        !isProvided(func.getName()))
      missing.push_back(func);
  std::vector<std::string> names;
  if (missing.empty())
    return names;

  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  OpBuilder builder(ctx);
  builder.setInsertionPointToEnd(module.getBody());
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto reporter =
      module.lookupSymbol<LLVM::LLVMFuncOp>(kMissingFunctionReporter);
  if (!reporter)
    reporter = LLVM::LLVMFuncOp::create(
        builder, loc, kMissingFunctionReporter,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr}));
  for (LLVM::LLVMFuncOp func : missing) {
    std::string name = func.getName().str();
    names.push_back(name);
    // The name as a C string, for the report.
    builder.setInsertionPointToEnd(module.getBody());
    auto text =
        LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), name.size() + 1);
    auto global = LLVM::GlobalOp::create(
        builder, loc, text, /*isConstant=*/true, LLVM::Linkage::Private,
        "__dqrt_missing_name_" + name,
        builder.getStringAttr(name + std::string(1, '\0')));
    Block *entry = func.addEntryBlock(builder);
    builder.setInsertionPointToStart(entry);
    Value address = LLVM::AddressOfOp::create(builder, loc, global);
    LLVM::CallOp::create(builder, loc, reporter, ValueRange{address});
    Type result = func.getFunctionType().getReturnType();
    if (llvm::isa<LLVM::LLVMVoidType>(result))
      LLVM::ReturnOp::create(builder, loc, ValueRange{});
    else
      LLVM::ReturnOp::create(
          builder, loc, ValueRange{LLVM::ZeroOp::create(builder, loc, result)});
  }
  return names;
}
