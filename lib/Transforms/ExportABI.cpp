//===- ExportABI.cpp - record function signatures for the runtime ---------===//

#include "dq/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/JSON.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQEXPORTABI
#include "dq/Transforms/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;

namespace {

/// On a function argument: the index of the result that may be written into
/// the argument's buffer (docs/runtime.md, "Tied results").
constexpr llvm::StringLiteral kTiedResultAttr = "dq.tied_result";
/// On an integer argument: the inclusive range [lo, hi] of its elements,
/// which the runtime checks before each call (a token id indexes a table:
/// out of range it would read outside it).
constexpr llvm::StringLiteral kBoundsAttr = "dq.bounds";

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

/// The result each argument is tied to (`dq.tied_result = j`), checked:
/// j names a result of the argument's own type, and no two arguments share
/// one result.
FailureOr<SmallVector<std::optional<int64_t>>>
getTiedResults(func::FuncOp func) {
  FunctionType type = func.getFunctionType();
  SmallVector<std::optional<int64_t>> tied(type.getNumInputs());
  llvm::SmallDenseMap<int64_t, unsigned> owner;
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    Attribute attr = func.getArgAttr(i, kTiedResultAttr);
    if (!attr)
      continue;
    auto index = llvm::dyn_cast<IntegerAttr>(attr);
    if (!index || index.getInt() < 0 ||
        index.getInt() >= int64_t(type.getNumResults()))
      return func.emitOpError()
             << "argument #" << i << ": " << kTiedResultAttr
             << " must be the index of a result (0 to "
             << int64_t(type.getNumResults()) - 1 << "), got " << attr;
    int64_t j = index.getInt();
    if (type.getInput(i) != type.getResult(j) ||
        !llvm::isa<RankedTensorType>(type.getInput(i)))
      return func.emitOpError()
             << "argument #" << i << " of type " << type.getInput(i)
             << " cannot be tied to result #" << j << " of type "
             << type.getResult(j) << ": both must be the same ranked tensor";
    if (auto [it, inserted] = owner.try_emplace(j, i); !inserted)
      return func.emitOpError() << "arguments #" << it->second << " and #" << i
                                << " are both tied to result #" << j;
    tied[i] = j;
  }
  return tied;
}

/// Each argument's `dq.bounds = array<i64: lo, hi>`, checked: two values,
/// lo <= hi, on a tensor of integers.
FailureOr<SmallVector<std::optional<std::pair<int64_t, int64_t>>>>
getBounds(func::FuncOp func) {
  FunctionType type = func.getFunctionType();
  SmallVector<std::optional<std::pair<int64_t, int64_t>>> bounds(
      type.getNumInputs());
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    Attribute attr = func.getArgAttr(i, kBoundsAttr);
    if (!attr)
      continue;
    auto range = llvm::dyn_cast<DenseI64ArrayAttr>(attr);
    if (!range || range.size() != 2 || range[0] > range[1])
      return func.emitOpError()
             << "argument #" << i << ": " << kBoundsAttr
             << " must be array<i64: lo, hi> with lo <= hi, got " << attr;
    auto shaped = llvm::dyn_cast<ShapedType>(type.getInput(i));
    if (!shaped || !shaped.getElementType().isSignlessInteger() ||
        shaped.getElementType().isSignlessInteger(1))
      return func.emitOpError()
             << "argument #" << i << " of type " << type.getInput(i) << ": "
             << kBoundsAttr << " applies to tensors of i8, i32 or i64 only";
    bounds[i] = {range[0], range[1]};
  }
  return bounds;
}

struct DQExportABIPass
    : public mlir::dq::impl::DQExportABIBase<DQExportABIPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.isPublic())
      return;
    bool failed = false;
    FailureOr<SmallVector<std::optional<int64_t>>> tied = getTiedResults(func);
    FailureOr<SmallVector<std::optional<std::pair<int64_t, int64_t>>>> bounds =
        getBounds(func);
    if (llvm::failed(tied) || llvm::failed(bounds))
      return signalPassFailure();
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
          func.emitOpError() << (key == "args" ? "argument" : "result") << " #"
                             << i << " of type " << type << " " << reason;
          failed = true;
          continue;
        }
        if (key == "args" && (*tied)[i])
          (*entry->getAsObject())["tied_result"] = *(*tied)[i];
        if (key == "args" && (*bounds)[i])
          (*entry->getAsObject())["bounds"] =
              llvm::json::Array{(*bounds)[i]->first, (*bounds)[i]->second};
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
    // bufferization must not write results into them in place, except
    // into a tied argument, whose buffer the caller hands over for its
    // result (a KV cache updated in place).
    for (auto [i, type] : llvm::enumerate(func.getFunctionType().getInputs()))
      if (llvm::isa<RankedTensorType>(type))
        func.setArgAttr(i, "bufferization.writable",
                        BoolAttr::get(&getContext(), (*tied)[i].has_value()));
    if (failed)
      signalPassFailure();
  }
};

} // namespace
