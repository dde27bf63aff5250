//===- OpClass.cpp - what a tensor-level op does, for profiles ------------===//

#include "OpClass.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/Support/raw_ostream.h"

#include <functional>

using namespace mlir;
using namespace mlir::dq;

namespace {

/// What an op's body computes.
struct BodyFacts {
  bool exp = false;
  bool sqrt = false;
  bool max = false;
  bool floatMath = false;
};

BodyFacts inspectBody(linalg::LinalgOp op) {
  BodyFacts facts;
  op->walk([&](Operation *inner) {
    if (inner == op.getOperation())
      return;
    facts.exp |= isa<math::ExpOp, math::Exp2Op>(inner);
    facts.sqrt |= isa<math::SqrtOp, math::RsqrtOp>(inner);
    facts.max |= isa<arith::MaximumFOp, arith::MaxNumFOp>(inner);
    if (isa<arith::ArithDialect, math::MathDialect>(inner->getDialect()) &&
        !isa<arith::ConstantOp, arith::SelectOp>(inner))
      facts.floatMath |= llvm::any_of(inner->getResultTypes(), [](Type t) {
        return isa<FloatType>(getElementTypeOrSelf(t));
      });
  });
  return facts;
}

bool readsBroadcast(linalg::LinalgOp op) {
  for (OpOperand *input : op.getDpsInputOperands())
    if (isa<ShapedType>(input->get().getType()) &&
        !op.getMatchingIndexingMap(input).isPermutation())
      return true;
  return false;
}

/// The op that produced `value`, looking through reshapes and slices.
Operation *producerOf(Value value) {
  Operation *def = value.getDefiningOp();
  while (def && isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
                    tensor::ExtractSliceOp, tensor::CastOp>(def)) {
    value = def->getOperand(0);
    def = value.getDefiningOp();
  }
  return def;
}

} // namespace

llvm::DenseMap<Operation *, StringRef>
mlir::dq::classifyLinalgOps(Operation *root) {
  llvm::DenseMap<Operation *, StringRef> classes;
  // Class of what produced `value`, and whether that reduced (a loop nest
  // already stamped by the vectorizer counts as reduced: its op is gone).
  auto producerClass = [&](Value value) -> std::pair<StringRef, bool> {
    Operation *def = producerOf(value);
    if (!def)
      return {StringRef(), false};
    if (auto stamped = def->getAttrOfType<StringAttr>(kOpClassAttr))
      return {stamped.getValue(), true};
    auto it = classes.find(def);
    if (it == classes.end())
      return {StringRef(), false};
    return {it->second, cast<linalg::LinalgOp>(def).getNumReductionLoops() > 0};
  };
  // Whether `value` comes from attention through at most `depth`
  // elementwise ops (the scores' scaling and mask before a softmax).
  std::function<bool(Value, int)> fromAttention = [&](Value value, int depth) {
    if (producerClass(value).first == op_class::kAttention)
      return true;
    auto def = dyn_cast_or_null<linalg::LinalgOp>(producerOf(value));
    if (!def || depth == 0 || def.getNumReductionLoops() > 0)
      return false;
    return llvm::any_of(def.getDpsInputOperands(), [&](OpOperand *input) {
      return fromAttention(input->get(), depth - 1);
    });
  };
  auto softmaxClass = [&](linalg::LinalgOp op) {
    for (OpOperand *input : op.getDpsInputOperands())
      if (fromAttention(input->get(), 4))
        return op_class::kAttention;
    return op_class::kSoftmax;
  };
  root->walk([&](linalg::LinalgOp op) {
    StringRef kind = op_class::kElementwise;
    BodyFacts facts = inspectBody(op);
    bool reduces = op.getNumReductionLoops() > 0;
    if (reduces && linalg::isaContractionOpInterface(op)) {
      FailureOr<linalg::ContractionDimensions> dims =
          linalg::inferContractionDims(op);
      kind = succeeded(dims) && !dims->batch.empty() ? op_class::kAttention
                                                     : op_class::kMatmul;
    } else if ((facts.exp && (reduces || readsBroadcast(op))) ||
               (reduces && facts.max)) {
      kind = softmaxClass(op);
    } else if (reduces) {
      kind = op_class::kNormalization;
      // Softmax's sum of the exponentials.
      for (OpOperand *input : op.getDpsInputOperands()) {
        StringRef producer = producerClass(input->get()).first;
        if (producer == op_class::kAttention || producer == op_class::kSoftmax)
          kind = producer;
      }
    } else if (facts.sqrt) {
      kind = op_class::kNormalization;
    } else if (!facts.floatMath) {
      kind = op_class::kDataMovement;
    } else {
      // Softmax's division by the sum; a norm's scaling by its statistics.
      for (OpOperand *input : op.getDpsInputOperands()) {
        if (op.getMatchingIndexingMap(input).isPermutation())
          continue;
        auto [producer, reduced] = producerClass(input->get());
        if (reduced && producer != op_class::kMatmul &&
            producer != op_class::kDataMovement)
          kind = producer;
      }
    }
    classes[op] = kind;
  });
  return classes;
}

std::string mlir::dq::describeLinalgOp(linalg::LinalgOp op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  // "linalg." left out: the loops that carry this are no longer linalg.
  os << op->getName().stripDialect() << " ";
  llvm::interleave(
      op.getStaticLoopRanges(), os,
      [&](int64_t size) {
        if (ShapedType::isDynamic(size))
          os << "?";
        else
          os << size;
      },
      "x");
  return text;
}
