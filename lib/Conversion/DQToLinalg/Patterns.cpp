//===- Patterns.cpp - dq to linalg conversion patterns --------------------===//
//
// A !dq.weight converts 1:N to (Q, scale, offset) tensors, so the weight's
// users receive those tensors through their adaptors wherever the weight
// came from: a producer in the same block, a function argument, a call's
// result or an scf region's block argument.
//
//===----------------------------------------------------------------------===//

#include "dq/Conversion/DQToLinalg/DQToLinalg.h"

#include "DQ/IR/DQOps.h"
#include "WeightLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::dq;

RankedTensorType mlir::dq::getLoweredIntTensorType(WeightType type) {
  RankedTensorType logical = type.getIntTensorType();
  if (llvm::isPowerOf2_32(type.getBits()))
    return logical;
  return RankedTensorType::get(logical.getShape(),
                               IntegerType::get(type.getContext(), 8));
}

void mlir::dq::populateDQToLinalgTypeConversion(TypeConverter &converter) {
  converter.addConversion(
      [](WeightType type,
         SmallVectorImpl<Type> &results) -> std::optional<LogicalResult> {
        if (!type.isRowMajor())
          return std::nullopt;
        results.push_back(getLoweredIntTensorType(type));
        results.push_back(type.getScaleTensorType());
        results.push_back(type.getScaleTensorType());
        return success();
      });
}

DQToLinalgTypeConverter::DQToLinalgTypeConverter() {
  // Rules are tried last-added first: the identity is the fallback.
  addConversion([](Type type) { return type; });
  populateDQToLinalgTypeConversion(*this);
}

namespace {

/// The parts of a converted weight operand; none when the stack's type
/// converter did not split the weight into three values.
std::optional<WeightParts> getParts(ValueRange converted) {
  if (converted.size() != 3)
    return std::nullopt;
  return WeightParts{converted[0], converted[1], converted[2]};
}

void replaceWithParts(ConversionPatternRewriter &rewriter, Operation *op,
                      const WeightParts &parts) {
  SmallVector<SmallVector<Value>> replacements = {
      {parts.q, parts.scale, parts.offset}};
  rewriter.replaceOpWithMultiple(op, std::move(replacements));
}

struct ConstantLowering : public OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    WeightType type = op.getWeightType();
    if (!type.isRowMajor())
      return rewriter.notifyMatchFailure(op, "not in the row_major layout");
    // Nothing to unpack for an unused weight.
    if (op->use_empty()) {
      rewriter.eraseOp(op);
      return success();
    }
    Location loc = op.getLoc();
    auto constant = [&](Attribute attr) -> Value {
      return arith::ConstantOp::create(rewriter, loc,
                                       llvm::cast<TypedAttr>(attr));
    };
    Value packed = constant(op.getPacked());
    Value scale = constant(op.getScale());
    Value offset = constant(op.getOffset());
    bool logical = getLoweredIntTensorType(type) == type.getIntTensorType();
    Value q = buildUnpack(rewriter, loc, packed, type, logical);
    replaceWithParts(rewriter, op, {q, scale, offset});
    return success();
  }
};

struct BuildLowering : public OpConversionPattern<BuildOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BuildOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = llvm::cast<WeightType>(op.getType());
    if (!type.isRowMajor())
      return rewriter.notifyMatchFailure(op, "not in the row_major layout");
    Value q = buildIntCast(rewriter, op.getLoc(), adaptor.getQ().front(),
                           getLoweredIntTensorType(type).getElementType());
    replaceWithParts(
        rewriter, op,
        {q, adaptor.getScale().front(), adaptor.getOffset().front()});
    return success();
  }
};

struct SplitLowering : public OpConversionPattern<SplitOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SplitOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    std::optional<WeightParts> parts = getParts(adaptor.getWeight());
    if (!parts)
      return rewriter.notifyMatchFailure(op, "weight not split in three");
    // dq.split hands out the logical iB tensor whatever carried it.
    Value q = buildIntCast(
        rewriter, op.getLoc(), parts->q,
        llvm::cast<RankedTensorType>(op.getQ().getType()).getElementType());
    rewriter.replaceOp(op, ValueRange{q, parts->scale, parts->offset});
    return success();
  }
};

struct DequantizeLowering : public OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DequantizeOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = llvm::cast<WeightType>(op.getWeight().getType());
    // Another layout's parts (a kernel lowering's) are not Q, s and z.
    if (!type.isRowMajor())
      return rewriter.notifyMatchFailure(op, "not in the row_major layout");
    auto resultType = llvm::cast<RankedTensorType>(op.getType());
    std::optional<WeightParts> parts = getParts(adaptor.getWeight());
    if (!parts)
      return rewriter.notifyMatchFailure(op, "weight not split in three");
    rewriter.replaceOp(op, buildDequantize(rewriter, op.getLoc(), *parts, type,
                                           resultType.getElementType()));
    return success();
  }
};

struct MatmulLowering : public OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatmulOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = llvm::cast<WeightType>(op.getWeight().getType());
    // Another layout's parts (a kernel lowering's) are not Q, s and z.
    if (!type.isRowMajor())
      return rewriter.notifyMatchFailure(op, "not in the row_major layout");
    auto resultType = llvm::cast<RankedTensorType>(op.getType());
    std::optional<WeightParts> parts = getParts(adaptor.getWeight());
    if (!parts || adaptor.getInput().size() != 1)
      return rewriter.notifyMatchFailure(op, "unexpected operand conversion");
    rewriter.replaceOp(op, buildMatmul(rewriter, op.getLoc(),
                                       adaptor.getInput().front(), *parts, type,
                                       resultType));
    return success();
  }
};

} // namespace

void mlir::dq::populateDQToLinalgPatterns(const TypeConverter &converter,
                                          RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, BuildLowering, SplitLowering,
               DequantizeLowering, MatmulLowering>(converter,
                                                   patterns.getContext());
}

namespace {

/// Converts a function's signature and the arguments of all its blocks
/// (upstream's function pattern converts the entry block only), so that
/// weights can flow along branches.
struct FuncSignatureLowering : public OpConversionPattern<func::FuncOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(func::FuncOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    const TypeConverter &converter = *getTypeConverter();
    FunctionType type = op.getFunctionType();
    TypeConverter::SignatureConversion signature(type.getNumInputs());
    if (failed(converter.convertSignatureArgs(type.getInputs(), signature)))
      return rewriter.notifyMatchFailure(op, "unconvertible argument");
    // An argument's or result's attributes stay on it when it converts 1:1;
    // they do not describe the parts of a weight.
    auto keepAttrs = [&](DictionaryAttr attrs, size_t parts) {
      return attrs && parts == 1 ? attrs : rewriter.getDictionaryAttr({});
    };
    SmallVector<Type> results;
    SmallVector<DictionaryAttr> resultAttrs;
    for (auto [i, result] : llvm::enumerate(type.getResults())) {
      size_t before = results.size();
      if (failed(converter.convertType(result, results)))
        return rewriter.notifyMatchFailure(op, "unconvertible result");
      size_t size = results.size() - before;
      resultAttrs.append(size, keepAttrs(op.getResultAttrDict(i), size));
    }
    SmallVector<DictionaryAttr> argAttrs;
    for (unsigned i = 0, e = type.getNumInputs(); i < e; ++i) {
      auto mapping = signature.getInputMapping(i);
      size_t size = mapping ? mapping->size : 0;
      argAttrs.append(size, keepAttrs(op.getArgAttrDict(i), size));
    }
    if (!op.isExternal() && failed(rewriter.convertRegionTypes(
                                &op.getBody(), converter, &signature)))
      return rewriter.notifyMatchFailure(op, "unconvertible block argument");
    rewriter.modifyOpInPlace(op, [&] {
      op.setType(
          rewriter.getFunctionType(signature.getConvertedTypes(), results));
      if (op.getArgAttrs())
        op.setAllArgAttrs(argAttrs);
      if (op.getResAttrs())
        op.setAllResultAttrs(resultAttrs);
    });
    return success();
  }
};

SmallVector<Value> flatten(ArrayRef<ValueRange> ranges) {
  SmallVector<Value> values;
  for (ValueRange range : ranges)
    llvm::append_range(values, range);
  return values;
}

/// cf.br and cf.cond_br forwarding the converted operands (upstream's
/// branch pattern converts 1:1 only).
struct BranchLowering : public OpConversionPattern<cf::BranchOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(cf::BranchOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto branch = cf::BranchOp::create(rewriter, op.getLoc(), op.getDest(),
                                       flatten(adaptor.getDestOperands()));
    rewriter.replaceOp(op, branch);
    return success();
  }
};

struct CondBranchLowering : public OpConversionPattern<cf::CondBranchOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(cf::CondBranchOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto branch = cf::CondBranchOp::create(
        rewriter, op.getLoc(), adaptor.getCondition().front(), op.getTrueDest(),
        flatten(adaptor.getTrueDestOperands()), op.getFalseDest(),
        flatten(adaptor.getFalseDestOperands()));
    branch.setBranchWeightsAttr(op.getBranchWeightsAttr());
    rewriter.replaceOp(op, branch);
    return success();
  }
};

} // namespace

/// True when no !dq.weight is left in `op`'s operands, results, block
/// arguments or (for functions) signature.
static bool hasLegalTypes(const TypeConverter &converter, Operation *op) {
  if (auto function = llvm::dyn_cast<FunctionOpInterface>(op))
    if (!converter.isLegal(function.getArgumentTypes()) ||
        !converter.isLegal(function.getResultTypes()))
      return false;
  return converter.isLegal(op) &&
         llvm::all_of(op->getRegions(), [&](Region &region) {
           return converter.isLegal(&region);
         });
}

void mlir::dq::populateDQWeightStructuralPatternsAndLegality(
    const TypeConverter &converter, RewritePatternSet &patterns,
    ConversionTarget &target) {
  patterns.add<FuncSignatureLowering, BranchLowering, CondBranchLowering>(
      converter, patterns.getContext());
  populateCallOpTypeConversionPattern(patterns, converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
  scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                       target);
  target.markUnknownOpDynamicallyLegal(
      [&converter](Operation *op) { return hasLegalTypes(converter, op); });
}

void mlir::dq::populateDQToLinalgStructuralPatternsAndLegality(
    const TypeConverter &converter, RewritePatternSet &patterns,
    ConversionTarget &target) {
  populateDQWeightStructuralPatternsAndLegality(converter, patterns, target);
  target.addIllegalDialect<DQDialect>();
  // The kernel lowerings' output, on tensors: not a weight.
  target.addLegalOp<KernelOp>();
}

/// True when some pattern of `patterns` may rewrite `op`.
static bool hasPatternFor(Operation *op, RewritePatternSet &patterns) {
  OperationName name = op->getName();
  return llvm::any_of(patterns.getNativePatterns(), [&](const auto &pattern) {
    if (std::optional<OperationName> root = pattern->getRootKind())
      return *root == name;
    if (std::optional<TypeID> id = pattern->getRootInterfaceID())
      return name.hasInterface(*id);
    if (std::optional<TypeID> id = pattern->getRootTraitID())
      return name.hasTrait(*id);
    return true; // Matches any op.
  });
}

LogicalResult mlir::dq::reportUnconvertibleOps(Operation *root,
                                               const TypeConverter &converter,
                                               RewritePatternSet &patterns,
                                               StringRef message) {
  bool failed = false;
  root->walk([&](Operation *op) {
    if (!hasLegalTypes(converter, op) && !hasPatternFor(op, patterns)) {
      op->emitOpError() << message;
      failed = true;
    }
  });
  return llvm::failure(failed);
}
