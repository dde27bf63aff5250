//===- VectorizeLinalg.cpp - --dq-vectorize-linalg-cpu
//---------------------===//
//
// Tiles and vectorizes the linalg ops that the dq kernels do not cover
// (attention's batch matmuls, softmax, normalizations, activations, float
// matmuls), so that they run as vector code instead of the scalar loops of
// convert-linalg-to-loops.
//
//===----------------------------------------------------------------------===//

#include "OpClass.h"

#include "dq/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQVECTORIZELINALGCPU
#include "dq/Conversion/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;

namespace {

/// Largest divisor of `size` that is at most `limit`, preferring multiples
/// of `multiple` (whole vector registers) when there is one.
int64_t tileFor(int64_t size, int64_t limit, int64_t multiple = 1) {
  for (int64_t t = std::min(size, limit); t >= multiple; --t)
    if (size % t == 0 && t % multiple == 0)
      return t;
  for (int64_t t = std::min(size, limit); t > 1; --t)
    if (size % t == 0)
      return t;
  return 1;
}

/// The loop dimension that a result of an indexing map reads, if it is a
/// plain dimension.
std::optional<unsigned> dimOf(AffineMap map, int64_t result) {
  if (result < 0 || result >= map.getNumResults())
    return std::nullopt;
  if (auto d = dyn_cast<AffineDimExpr>(map.getResult(result)))
    return d.getPosition();
  return std::nullopt;
}

/// Tile sizes of one op: the parallel tile (one vector's worth of work per
/// thread iteration) and, for contractions, the reduction dims to step
/// through one at a time with the accumulator held in registers.
struct TilePlan {
  SmallVector<int64_t> parallel; // 0: not tiled
  SmallVector<int64_t> reduction;
  bool contraction = false;
};

/// Elements of the largest vector a non-contraction op may use: larger
/// whole-dimension reductions are left to scalar loops rather than
/// spilled.
constexpr int64_t kMaxVectorElements = 4096;

std::optional<TilePlan> planTiles(linalg::LinalgOp op) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (llvm::any_of(sizes, ShapedType::isDynamic) || op.getNumDpsInits() == 0)
    return std::nullopt;
  // Memrefs of i1 hold a byte per element, vectors of i1 a bit: a vector
  // transfer of a sub-byte type would pack what memory keeps unpacked.
  for (OpOperand &operand : op->getOpOperands()) {
    Type element = getElementTypeOrSelf(operand.get().getType());
    if (element.isIntOrFloat() && element.getIntOrFloatBitWidth() < 8)
      return std::nullopt;
  }
  unsigned n = sizes.size();
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  int64_t rank = out.getNumResults();
  std::optional<unsigned> inner = dimOf(out, rank - 1);

  TilePlan plan;
  plan.parallel.assign(n, 1);
  plan.reduction.assign(n, 0);
  auto setParallel = [&](unsigned d, int64_t tile) {
    plan.parallel[d] = tile == sizes[d] ? 0 : tile;
  };

  if (op.getNumReductionLoops() > 0 && op.getNumDpsInits() == 1 &&
      linalg::isaContractionOpInterface(op) && inner) {
    // A register block of 8 rows x 16..32 columns of the output, one
    // reduction step at a time: outer-product FMAs into 8-16 registers.
    plan.contraction = true;
    std::optional<unsigned> m = dimOf(out, rank - 2);
    for (unsigned d = 0; d < n; ++d) {
      if (linalg::isReductionIterator(op.getIteratorTypesArray()[d])) {
        plan.parallel[d] = 0;
        plan.reduction[d] = 1;
      }
    }
    setParallel(*inner, tileFor(sizes[*inner], 32, 16));
    if (m && *m != *inner)
      setParallel(*m, tileFor(sizes[*m], 8));
    return plan;
  }

  int64_t elements = 1;
  SmallVector<unsigned> reductions;
  for (unsigned d = 0; d < n; ++d) {
    if (linalg::isReductionIterator(op.getIteratorTypesArray()[d])) {
      plan.parallel[d] = 0; // whole reductions: vector.multi_reduction
      elements *= sizes[d];
      reductions.push_back(d);
    }
  }
  int64_t innerTile = 1;
  if (inner &&
      !linalg::isReductionIterator(op.getIteratorTypesArray()[*inner])) {
    innerTile = tileFor(sizes[*inner], 64, 16);
    setParallel(*inner, innerTile);
    elements *= innerTile;
  }
  if (elements > kMaxVectorElements && reductions.size() == 1) {
    // A long reduction (a softmax over a 49152-word vocabulary) goes in
    // chunks that fit the vector budget, each summed as a tree (the
    // reductions are reassociated), rather than in one scalar loop whose
    // sequential sum drops the small terms and biases the result.
    unsigned d = reductions.front();
    int64_t chunk = tileFor(
        sizes[d], std::max<int64_t>(kMaxVectorElements / innerTile, 1), 16);
    if (chunk >= 16) {
      plan.reduction[d] = chunk;
      elements = elements / sizes[d] * chunk;
    }
  }
  if (elements > kMaxVectorElements)
    return std::nullopt;
  return plan;
}

/// A transfer_read that reads one element and broadcasts it (every vector
/// dimension it maps from the source has size 1, the others are broadcast):
/// a norm's or softmax's per-row statistic read inside the row's
/// reduction. Upstream lowers a broadcast that is not leading through a
/// loop inserting one element at a time at a dynamic position into the
/// whole vector, which spills it on every step (a LayerNorm's variance,
/// vector<384xf64>, took 100x its time); an extract and a broadcast do not.
struct BroadcastSingleElementRead : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    auto source = dyn_cast<RankedTensorType>(read.getBase().getType());
    if (!source || read.getMask())
      return failure();
    AffineMap map = read.getPermutationMap();
    VectorType vector = read.getVectorType();
    bool broadcasts = false;
    for (auto [i, result] : llvm::enumerate(map.getResults())) {
      if (auto constant = dyn_cast<AffineConstantExpr>(result)) {
        if (constant.getValue() != 0)
          return failure();
        broadcasts = true;
        continue;
      }
      if (vector.getDimSize(i) != 1 || !read.isDimInBounds(i))
        return failure();
    }
    if (!broadcasts)
      return failure();
    Value element = tensor::ExtractOp::create(
        rewriter, read.getLoc(), read.getBase(), read.getIndices());
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(read, vector, element);
    return success();
  }
};

/// Keeps elementwise fusion from recomputing a producer: a consumer with
/// reductions may absorb a producer only if it reads each element once.
bool fuseOnce(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  auto consumer = cast<linalg::LinalgOp>(operand->getOwner());
  if (consumer.getNumReductionLoops() == 0)
    return true;
  return consumer.getMatchingIndexingMap(operand).isPermutation();
}

struct DQVectorizeLinalgCPU
    : mlir::dq::impl::DQVectorizeLinalgCPUBase<DQVectorizeLinalgCPU> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();

    RewritePatternSet fusion(ctx);
    linalg::populateElementwiseOpsFusionPatterns(fusion, fuseOnce);
    // x^n with a constant n (torch's pow(x, 2) in RMSNorm) as products:
    // a vector llvm.intr.powi does not exist.
    math::populateExpansionPatterns(fusion, {"fpowi"});
    if (failed(applyPatternsGreedily(func, std::move(fusion))))
      return signalPassFailure();

    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !op->getParentOfType<scf::ForallOp>())
        ops.push_back(op);
    });
    // Decided now, while the ops are still linalg: the loops that replace
    // them carry it to --dq-profile-regions.
    opClasses = classifyLinalgOps(func);
    IRRewriter rewriter(ctx);
    for (linalg::LinalgOp op : ops)
      tileAndVectorize(rewriter, op);

    // The vector ops become what convert-vector-to-llvm lowers well.
    RewritePatternSet lowering(ctx);
    lowering.add<BroadcastSingleElementRead>(ctx, /*benefit=*/2);
    vector::populateVectorReductionToContractPatterns(lowering);
    vector::populateVectorContractLoweringPatterns(
        lowering, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorMultiReductionLoweringPatterns(
        lowering, vector::VectorMultiReductionLowering::InnerReduction);
    vector::populateVectorTransferPermutationMapLoweringPatterns(lowering);
    vector::populateVectorOuterProductLoweringPatterns(lowering);
    if (approximateMath) {
      // libm has no vector exp or erf: a vector of them would become one
      // scalar call per element (a fifth of MiniLM's time in softmax and
      // GELU). Upstream's f32 polynomials vectorize instead.
      populateMathPolynomialApproximationPatterns(lowering, [](StringRef name) {
        return name == math::ExpOp::getOperationName() ||
               name == math::ErfOp::getOperationName();
      });
    }
    if (failed(applyPatternsGreedily(func, std::move(lowering))))
      return signalPassFailure();
    // The accumulator tiles of the reduction loops move out of them into
    // loop-carried vectors (registers); the folding above removed the
    // full-tile slices around them. A hoisted pair can expose another:
    // hoist until nothing changes.
    SmallVector<scf::ForOp> loops;
    func.walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) {
      auto hoisted = cast<LoopLikeOpInterface>(loop.getOperation());
      unsigned before;
      do {
        before = hoisted.getRegionIterArgs().size();
        hoisted = hoistLoopInvariantSubsets(rewriter, hoisted);
      } while (hoisted.getRegionIterArgs().size() != before);
    }
  }

  /// Tiles and vectorizes `op`; what does not tile or vectorize is left
  /// (valid IR either way) to the loop lowering.
  void tileAndVectorize(IRRewriter &rewriter, linalg::LinalgOp op) {
    std::optional<TilePlan> plan = planTiles(op);
    if (!plan) {
      ++numScalar;
      return;
    }
    Operation *current = op;
    StringAttr opClass = rewriter.getStringAttr(opClasses.lookup(op));
    StringAttr description = rewriter.getStringAttr(describeLinalgOp(op));
    auto tile = [&](ArrayRef<int64_t> sizes,
                    scf::SCFTilingOptions::LoopType type) -> LogicalResult {
      if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
        return success();
      rewriter.setInsertionPoint(current);
      scf::SCFTilingOptions options;
      options.setTileSizes(
          getAsIndexOpFoldResult(rewriter.getContext(), sizes));
      options.setLoopType(type);
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(current), options);
      if (failed(tiled))
        return failure();
      rewriter.replaceOp(current, tiled->replacements);
      current = tiled->tiledOps.front();
      // Every loop: the canonicalizer folds one-trip loops, and whichever
      // ends up outermost must carry the class.
      for (LoopLikeOpInterface loop : tiled->loops) {
        loop->setAttr(kOpClassAttr, opClass);
        loop->setAttr(kOpAttr, description);
      }
      return success();
    };
    int64_t work = 1;
    for (int64_t size : op.getStaticLoopRanges())
      work *= size;
    bool parallel = threads && work >= minParallelWork;
    if (failed(tile(plan->parallel,
                    parallel ? scf::SCFTilingOptions::LoopType::ForallOp
                             : scf::SCFTilingOptions::LoopType::ForOp)) ||
        failed(tile(plan->reduction, scf::SCFTilingOptions::LoopType::ForOp))) {
      ++numScalar;
      return;
    }

    rewriter.setInsertionPoint(current);
    FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
        rewriter, current, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
        /*vectorizeNDExtract=*/true, /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/false,
        /*createNamedContraction=*/plan->contraction);
    if (failed(vectorized)) {
      ++numScalar; // tiled, left to the loop lowering
      return;
    }
    rewriter.replaceOp(current, vectorized->replacements);
    ++numVectorized;
  }

  llvm::DenseMap<Operation *, StringRef> opClasses;
};

} // namespace
