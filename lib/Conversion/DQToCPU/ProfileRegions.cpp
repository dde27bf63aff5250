//===- ProfileRegions.cpp - --dq-profile-regions --------------------------===//
//
// Times each kernel call and each loop nest of a function with two reads
// of a clock, and counts them in a global the runtime reads back
// (dq-run --profile). The classes come from the ops themselves (OpClass.h),
// decided before vectorization hid them.
//
//===----------------------------------------------------------------------===//

#include "OpClass.h"

#include "dq/Conversion/Passes.h"

#include "DQ/IR/DQOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQPROFILEREGIONS
#include "dq/Conversion/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;

namespace {

constexpr llvm::StringLiteral kClock = "_dq_profile_clock";
constexpr llvm::StringLiteral kCounters = "_dq_profile_counters";
constexpr llvm::StringLiteral kRegions = "_dq_profile_regions";

/// One timed op: where it is and what it does.
struct Region {
  Operation *op;
  std::string function;
  std::string opClass;
  std::string description;
};

std::string shapeOf(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (op->getNumResults() > 0)
    os << " " << op->getResult(0).getType();
  return text;
}

/// The class and description of `op`, or nothing when it is not timed
/// (views, constants, allocations, scalar arithmetic: no work of their
/// own).
std::optional<std::pair<std::string, std::string>>
describe(Operation *op, const llvm::DenseMap<Operation *, StringRef> &classes) {
  if (auto kernel = dyn_cast<KernelOp>(op)) {
    std::string text;
    if (auto layer = op->getAttrOfType<StringAttr>("dq.layer"))
      text = layer.getValue().str() + " ";
    text += kernel.getCallee().str();
    return std::make_pair(op_class::kQuantizedMatmul.str(), text);
  }
  if (auto stamped = op->getAttrOfType<StringAttr>(kOpClassAttr)) {
    auto original = op->getAttrOfType<StringAttr>(kOpAttr);
    return std::make_pair(stamped.getValue().str(),
                          original ? original.getValue().str()
                                   : op->getName().getStringRef().str());
  }
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return std::make_pair(classes.lookup(op).str(),
                          describeLinalgOp(linalgOp) + " (scalar)");
  if (isa<scf::ForOp, scf::ForallOp, scf::ParallelOp, scf::WhileOp>(op)) {
    // A loop nest the vectorizer did not build: named after its first
    // linalg op, if any.
    std::optional<std::pair<std::string, std::string>> inner;
    op->walk<WalkOrder::PreOrder>([&](linalg::LinalgOp linalgOp) {
      inner = std::make_pair(classes.lookup(linalgOp).str(),
                             "loop of " + describeLinalgOp(linalgOp));
      return WalkResult::interrupt();
    });
    if (inner && !inner->first.empty())
      return inner;
    return std::make_pair(op_class::kOther.str(),
                          op->getName().getStringRef().str());
  }
  if (isa<tensor::ConcatOp, tensor::PadOp, tensor::InsertSliceOp,
          tensor::GatherOp, tensor::ScatterOp, tensor::GenerateOp,
          bufferization::MaterializeInDestinationOp>(op))
    return std::make_pair(op_class::kDataMovement.str(),
                          op->getName().getStringRef().str() + shapeOf(op));
  if (auto call = dyn_cast<func::CallOp>(op)) {
    if (call.getCallee() == kClock)
      return std::nullopt;
    return std::make_pair(op_class::kOther.str(),
                          "call @" + call.getCallee().str());
  }
  return std::nullopt;
}

struct DQProfileRegions
    : mlir::dq::impl::DQProfileRegionsBase<DQProfileRegions> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (StringRef name : {kCounters, kRegions, kClock}) {
      if (module.lookupSymbol(name)) {
        module.emitError() << "module already defines '" << name
                           << "' (--dq-profile-regions ran twice?)";
        return signalPassFailure();
      }
    }
    std::vector<Region> regions;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || func.getName() == kClock)
        continue;
      llvm::DenseMap<Operation *, StringRef> classes = classifyLinalgOps(func);
      for (Block &block : func.getBody())
        for (Operation &op : block)
          if (auto found = describe(&op, classes))
            regions.push_back(
                {&op, func.getName().str(), found->first, found->second});
    }

    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToStart(module.getBody());
    Location loc = module.getLoc();
    Type i64 = b.getI64Type();
    func::FuncOp clock = declareClock(b, loc);

    // Counters: per region, calls and nanoseconds.
    auto countersType =
        MemRefType::get({static_cast<int64_t>(regions.size()), 2}, i64);
    memref::GlobalOp::create(
        b, loc, kCounters, b.getStringAttr("public"), countersType,
        DenseElementsAttr::get(
            RankedTensorType::get(countersType.getShape(), i64),
            b.getI64IntegerAttr(0).getValue()),
        /*constant=*/false, /*alignment=*/b.getI64IntegerAttr(64));
    // A string, not a dense i8 array: the table stays readable in the IR.
    std::string table = tableJson(regions);
    table.push_back('\0');
    LLVM::GlobalOp::create(
        b, loc, LLVM::LLVMArrayType::get(b.getI8Type(), table.size()),
        /*isConstant=*/true, LLVM::Linkage::External, kRegions,
        b.getStringAttr(table));

    for (auto [id, region] : llvm::enumerate(regions)) {
      Operation *op = region.op;
      Location opLoc = op->getLoc();
      b.setInsertionPoint(op);
      Value start = func::CallOp::create(b, opLoc, clock).getResult(0);
      b.setInsertionPointAfter(op);
      Value stop = func::CallOp::create(b, opLoc, clock).getResult(0);
      Value counters =
          memref::GetGlobalOp::create(b, opLoc, countersType, kCounters);
      Value row = arith::ConstantIndexOp::create(b, opLoc, id);
      Value zero = arith::ConstantIndexOp::create(b, opLoc, 0);
      Value one = arith::ConstantIndexOp::create(b, opLoc, 1);
      auto accumulate = [&](Value column, Value amount) {
        Value old =
            memref::LoadOp::create(b, opLoc, counters, ValueRange{row, column});
        Value sum = arith::AddIOp::create(b, opLoc, old, amount);
        memref::StoreOp::create(b, opLoc, sum, counters,
                                ValueRange{row, column});
      };
      accumulate(zero, arith::ConstantIntOp::create(b, opLoc, i64, 1));
      accumulate(one, arith::SubIOp::create(b, opLoc, stop, start));
    }
    numRegions = regions.size();
  }

  /// `_dq_profile_clock() -> i64`, nanoseconds of a monotonic clock, which
  /// libdqrt defines. The weak body here (0) serves hosts without the
  /// runtime, which have no reader of the counters either.
  func::FuncOp declareClock(OpBuilder &b, Location loc) {
    auto clock = func::FuncOp::create(b, loc, kClock,
                                      b.getFunctionType({}, {b.getI64Type()}));
    clock->setAttr("llvm.linkage",
                   LLVM::LinkageAttr::get(b.getContext(), LLVM::Linkage::Weak));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(clock.addEntryBlock());
    Value zero = arith::ConstantIntOp::create(b, loc, b.getI64Type(), 0);
    func::ReturnOp::create(b, loc, zero);
    return clock;
  }

  static std::string tableJson(const std::vector<Region> &regions) {
    llvm::json::Array rows;
    for (const Region &region : regions)
      rows.push_back(llvm::json::Array{region.function, region.opClass,
                                       region.description});
    std::string text;
    llvm::raw_string_ostream os(text);
    os << llvm::json::Value(
        llvm::json::Object{{"version", 1}, {"regions", std::move(rows)}});
    return text;
  }
};

} // namespace
