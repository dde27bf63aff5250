//===- WeightMatmuls.cpp - Finding weight-bearing matmuls -----------------===//

#include "dq/Transforms/WeightMatmuls.h"

#include "DQ/IR/DQOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringMap.h"

#include <cstring>

using namespace mlir;
using namespace mlir::dq;

namespace {

/// Where a matmul operand's value comes from: a constant, and for each of
/// the constant's two dims the contraction loop that indexes it.
struct Trace {
  Operation *source = nullptr;
  ElementsAttr value;
  SmallVector<int64_t, 2> loops;
  std::string symbol; // Global name or resource key, if any.
};

bool isWeightElementType(Type type) {
  return type.isF32() || type.isF16() || type.isBF16() || type.isF64();
}

/// Accepts 2-D float constants only.
std::optional<Trace> makeTrace(Operation *source, Attribute attr,
                               ArrayRef<int64_t> loops, StringRef symbol) {
  auto value = llvm::dyn_cast_or_null<ElementsAttr>(attr);
  if (!value || loops.size() != 2)
    return std::nullopt;
  auto type = llvm::dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() != 2 || !type.hasStaticShape() ||
      !isWeightElementType(type.getElementType()))
    return std::nullopt;
  Trace trace{source, value, SmallVector<int64_t, 2>(loops), symbol.str()};
  if (trace.symbol.empty())
    if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(attr))
      trace.symbol = resource.getRawHandle().getKey().str();
  return trace;
}

/// True for a linalg.generic that only copies its single input, possibly
/// transposed or broadcast, into an identity-indexed output.
bool isCopyLike(linalg::GenericOp generic) {
  if (generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0)
    return false;
  if (!generic.getIndexingMapsArray()[1].isIdentity())
    return false;
  Block &body = generic.getRegion().front();
  auto yield = llvm::dyn_cast<linalg::YieldOp>(body.getTerminator());
  return yield && body.getOperations().size() == 1 &&
         yield.getNumOperands() == 1 &&
         yield.getOperand(0) == body.getArgument(0);
}

/// Follows `value`, whose dim j is indexed by contraction loop loops[j]
/// (-1 when not a plain loop), back through transposes, broadcasts and
/// copies to a constant.
std::optional<Trace> traceConstant(Value value, SmallVector<int64_t> loops) {
  // A handful of layout ops is all frontends put between a weight and its
  // matmul; the bound keeps pathological chains cheap.
  for (int depth = 0; depth < 16; ++depth) {
    Operation *def = value.getDefiningOp();
    if (!def)
      return std::nullopt;
    if (auto constant = llvm::dyn_cast<arith::ConstantOp>(def))
      return makeTrace(def, constant.getValue(), loops, "");
    if (auto load = llvm::dyn_cast<ml_program::GlobalLoadConstOp>(def)) {
      auto global = SymbolTable::lookupNearestSymbolFrom<ml_program::GlobalOp>(
          def, load.getGlobalAttr());
      if (!global || global.getIsMutable() || !global.getValue())
        return std::nullopt;
      return makeTrace(def, *global.getValue(), loops, global.getSymName());
    }
    if (auto toTensor = llvm::dyn_cast<bufferization::ToTensorOp>(def)) {
      auto get = toTensor.getBuffer().getDefiningOp<memref::GetGlobalOp>();
      if (!get)
        return std::nullopt;
      auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
          def, get.getNameAttr());
      if (!global || !global.getConstant())
        return std::nullopt;
      return makeTrace(def, global.getConstantInitValue(), loops,
                       global.getSymName());
    }
    if (auto transpose = llvm::dyn_cast<linalg::TransposeOp>(def)) {
      // Output dim i is input dim perm[i].
      ArrayRef<int64_t> perm = transpose.getPermutation();
      SmallVector<int64_t> in(loops.size(), -1);
      for (auto [i, p] : llvm::enumerate(perm))
        in[p] = loops[i];
      loops = std::move(in);
      value = transpose.getInput();
      continue;
    }
    if (auto broadcast = llvm::dyn_cast<linalg::BroadcastOp>(def)) {
      // `dimensions` are the output dims the broadcast adds.
      ArrayRef<int64_t> added = broadcast.getDimensions();
      SmallVector<int64_t> in;
      for (auto [i, loop] : llvm::enumerate(loops))
        if (!llvm::is_contained(added, int64_t(i)))
          in.push_back(loop);
      loops = std::move(in);
      value = broadcast.getInput();
      continue;
    }
    if (auto generic = llvm::dyn_cast<linalg::GenericOp>(def);
        generic && isCopyLike(generic)) {
      AffineMap input = generic.getIndexingMapsArray()[0];
      SmallVector<int64_t> in;
      for (AffineExpr expr : input.getResults()) {
        auto dim = llvm::dyn_cast<AffineDimExpr>(expr);
        if (!dim)
          return std::nullopt;
        in.push_back(loops[dim.getPosition()]);
      }
      loops = std::move(in);
      value = generic.getDpsInputOperand(0)->get();
      continue;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

/// Loop dims indexing each result of `map`, -1 for non-dim results.
SmallVector<int64_t> loopsOf(AffineMap map) {
  SmallVector<int64_t> loops;
  for (AffineExpr expr : map.getResults()) {
    auto dim = llvm::dyn_cast<AffineDimExpr>(expr);
    loops.push_back(dim ? int64_t(dim.getPosition()) : -1);
  }
  return loops;
}

/// The first NameLoc inside `loc`, looking through fused and call-site
/// locations.
std::optional<std::string> findName(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      if (auto name = findName(inner))
        return name;
    return std::nullopt;
  }
  if (auto call = llvm::dyn_cast<CallSiteLoc>(loc)) {
    if (auto name = findName(call.getCallee()))
      return name;
    return findName(call.getCaller());
  }
  return std::nullopt;
}

/// Matches one contraction; returns std::nullopt when it has no constant
/// operand (not weight-bearing), or fills `reason` when it has one but
/// cannot be handled.
std::optional<WeightMatmul> matchWeightMatmul(linalg::LinalgOp op,
                                              std::string &reason) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();

  // The weight is the constant operand; B first, as frontends put it there.
  std::optional<Trace> trace;
  unsigned w = 1;
  for (unsigned candidate : {1u, 0u}) {
    trace = traceConstant(op.getDpsInputOperand(candidate)->get(),
                          loopsOf(maps[candidate]));
    if (trace) {
      w = candidate;
      break;
    }
  }
  if (!trace)
    return std::nullopt;

  // Loops that index the weight's output dim (n) and the activation's
  // row dims (m), from the weight's point of view.
  const auto &weightDims = w == 1 ? dims->n : dims->m;
  if (dims->k.size() != 1 || weightDims.size() != 1) {
    reason = "the contraction must have exactly one reduction dim and one "
             "output dim on the weight side";
    return std::nullopt;
  }
  int64_t kLoop = dims->k[0], nLoop = weightDims[0];
  bool nk = trace->loops[0] == nLoop && trace->loops[1] == kLoop;
  bool kn = trace->loops[0] == kLoop && trace->loops[1] == nLoop;
  if (!nk && !kn) {
    reason = "the constant operand is not indexed by the output and the "
             "reduction dims";
    return std::nullopt;
  }

  // dq.matmul is y[..., n] = sum_k x[..., k] W[n, k]: x's dims must be the
  // output's leading dims in order, then k; the output ends with n.
  unsigned a = 1 - w;
  SmallVector<int64_t> act = loopsOf(maps[a]);
  SmallVector<int64_t> out = loopsOf(maps[2]);
  bool layoutOk = !act.empty() && act.size() == out.size() &&
                  act.back() == kLoop && out.back() == nLoop;
  for (size_t i = 0; layoutOk && i + 1 < act.size(); ++i)
    layoutOk = act[i] >= 0 && act[i] == out[i];
  if (!layoutOk) {
    reason = "the activation and result layouts are not x[..., k] and "
             "y[..., n]";
    return std::nullopt;
  }
  Type actType = getElementTypeOrSelf(op.getDpsInputOperand(a)->get());
  Type outType = getElementTypeOrSelf(op.getDpsInitOperand(0)->get());
  if (!(actType.isF32() || actType.isF16() || actType.isBF16()) ||
      actType != outType) {
    reason = "activation and result must have the same element type, f32, "
             "f16 or bf16";
    return std::nullopt;
  }
  auto shape = llvm::cast<RankedTensorType>(trace->value.getType()).getShape();
  WeightMatmul match;
  match.op = op;
  match.activation = op.getDpsInputOperand(a);
  match.weight = op.getDpsInputOperand(w);
  match.source = trace->source;
  match.value = trace->value;
  match.sourceIsNK = nk;
  match.n = nk ? shape[0] : shape[1];
  match.k = nk ? shape[1] : shape[0];
  match.name = trace->symbol; // Refined by the naming rules below.
  return match;
}

} // namespace

void mlir::dq::findWeightMatmuls(ModuleOp module,
                                 std::vector<WeightMatmul> &found,
                                 std::vector<SkippedMatmul> &skipped) {
  llvm::StringMap<unsigned> uses;
  module.walk([&](func::FuncOp func) {
    // Counts every weight-bearing matmul, quantized ones (dq.matmul)
    // included, so that fallback names survive partial quantization.
    unsigned index = 0;
    func.walk([&](Operation *op) {
      if (llvm::isa<MatmulOp>(op)) {
        ++index;
        return;
      }
      auto linalgOp = llvm::dyn_cast<linalg::LinalgOp>(op);
      if (!linalgOp)
        return;
      std::string reason;
      std::optional<WeightMatmul> match = matchWeightMatmul(linalgOp, reason);
      if (!match) {
        if (!reason.empty())
          skipped.push_back({op, reason});
        return;
      }
      ++index;
      // Naming rules, in order (docs/quantize.md): an explicit dq.layer
      // attribute, a NameLoc on the matmul, a NameLoc on the constant, the
      // weight's symbol (global or resource name), <func>.matmul<index>.
      std::string name;
      if (auto attr = op->getAttrOfType<StringAttr>(kLayerNameAttr))
        name = attr.getValue().str();
      else if (auto loc = findName(op->getLoc()))
        name = *loc;
      else if (auto loc = findName(match->source->getLoc()))
        name = *loc;
      else if (!match->name.empty())
        name = match->name;
      else
        name = (func.getSymName() + ".matmul" + Twine(index)).str();
      // A weight used by several matmuls gets one layer per use.
      unsigned seen = uses[name]++;
      if (seen)
        name += "#" + std::to_string(seen + 1);
      match->name = name;
      found.push_back(std::move(*match));
    });
  });
}

/// Reads element i of a raw little-endian buffer of `type` as float.
static float readRawElement(const char *data, size_t i, Type type) {
  if (type.isF32()) {
    float v;
    std::memcpy(&v, data + 4 * i, 4);
    return v;
  }
  if (type.isF64()) {
    double v;
    std::memcpy(&v, data + 8 * i, 8);
    return float(v);
  }
  uint16_t bits;
  std::memcpy(&bits, data + 2 * i, 2);
  const llvm::fltSemantics &sem =
      type.isF16() ? llvm::APFloat::IEEEhalf() : llvm::APFloat::BFloat();
  return llvm::APFloat(sem, llvm::APInt(16, bits)).convertToFloat();
}

LogicalResult mlir::dq::readWeight(const WeightMatmul &matmul,
                                   std::vector<float> &out,
                                   std::string &error) {
  auto type = llvm::cast<RankedTensorType>(matmul.value.getType());
  Type element = type.getElementType();
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  std::vector<float> source(rows * cols);
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(matmul.value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob) {
      error = "the data of resource '" +
              resource.getRawHandle().getKey().str() + "' is elided";
      return failure();
    }
    ArrayRef<char> data = blob->getData();
    size_t bytes = (element.getIntOrFloatBitWidth() / 8) * source.size();
    if (data.size() != bytes) {
      error = "resource '" + resource.getRawHandle().getKey().str() +
              "' holds " + std::to_string(data.size()) + " bytes, expected " +
              std::to_string(bytes);
      return failure();
    }
    for (size_t i = 0; i < source.size(); ++i)
      source[i] = readRawElement(data.data(), i, element);
  } else if (auto dense = llvm::dyn_cast<DenseElementsAttr>(matmul.value)) {
    size_t i = 0;
    for (llvm::APFloat v : dense.getValues<llvm::APFloat>()) {
      bool lost;
      v.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
                &lost);
      source[i++] = v.convertToFloat();
    }
  } else {
    error = "unsupported constant attribute";
    return failure();
  }
  if (matmul.sourceIsNK) {
    out = std::move(source);
    return success();
  }
  out.resize(source.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[c * rows + r] = source[r * cols + c];
  return success();
}
