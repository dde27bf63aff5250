//===- LowerMatmulCPU.cpp - --dq-lower-matmul-cpu -------------------------===//
//
// Replaces dq.matmul on n16k4 constants by calls to generated kernels. The
// call site stays at the tensor level: bufferization.to_buffer hands the
// activation and the weight blobs to the kernel as memrefs, and the padded
// output buffer comes back through bufferization.to_tensor.
//
//===----------------------------------------------------------------------===//

#include "dq/Conversion/Passes.h"

#include "../DQToLinalg/WeightLowering.h"
#include "DQ/IR/DQOps.h"
#include "Kernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::dq {
#define GEN_PASS_DEF_DQLOWERMATMULCPU
#define GEN_PASS_DEF_DQBUILDCPUKERNELS
#include "dq/Conversion/Passes.h.inc"
} // namespace mlir::dq

using namespace mlir;
using namespace mlir::dq;

namespace {

/// Integer sums of one group must fit in i32: at most paddedGroup products
/// of a field (< 256) and an int8 (|q| <= 127).
bool int8SumsFit(const N16K4Geometry &geo) {
  return geo.paddedGroup() * 255 * 127 < (int64_t(1) << 31);
}

struct DQLowerMatmulCPUPass
    : public mlir::dq::impl::DQLowerMatmulCPUBase<DQLowerMatmulCPUPass> {
  using DQLowerMatmulCPUBase::DQLowerMatmulCPUBase;

  LogicalResult validateOptions(CPUTarget &resolved) {
    ModuleOp module = getOperation();
    resolved = resolveCPUTarget(target);
    if (mBlock != 1 && mBlock != 2 && mBlock != 4 && mBlock != 8)
      return module.emitError() << "--dq-lower-matmul-cpu: m-block must be "
                                   "1, 2, 4 or 8, got "
                                << unsigned(mBlock);
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    CPUTarget resolved = CPUTarget::Generic;
    if (failed(validateOptions(resolved)))
      return signalPassFailure();

    SmallVector<MatmulOp> matmuls;
    module.walk([&](MatmulOp op) {
      auto constant = op.getWeight().getDefiningOp<ConstantOp>();
      if (constant &&
          llvm::isa<dq_cpu::N16K4Attr>(constant.getWeightType().getLayout()))
        matmuls.push_back(op);
    });

    llvm::StringMap<func::FuncOp> kernels;
    OpBuilder moduleBuilder = OpBuilder::atBlockEnd(module.getBody());
    SmallVector<ConstantOp> constants;
    for (MatmulOp op : matmuls) {
      auto constant = op.getWeight().getDefiningOp<ConstantOp>();
      KernelSpec spec;
      spec.weight = constant.getWeightType();
      spec.activationType = op.getInput().getType().getElementType();
      spec.target = resolved;
      spec.int8 = activations == ActivationsOption::Int8;
      spec.mBlock = mBlock;
      spec.parallel = parallel;
      if (spec.int8 && !int8SumsFit(spec.geometry())) {
        op.emitRemark() << "group of " << spec.weight.getGroup()
                        << " columns is too long for i32 sums of int8 "
                           "products; using the f32 route";
        spec.int8 = false;
      }
      func::FuncOp &kernel = kernels[spec.name()];
      if (!kernel) {
        kernel = declareKernel(moduleBuilder, module.getLoc(), spec);
        ++numKernels;
      }
      lowerCall(op, constant, spec, kernel);
      if (!llvm::is_contained(constants, constant))
        constants.push_back(constant);
      ++numLowered;
    }
    for (ConstantOp constant : constants)
      if (constant.getResult().use_empty())
        constant.erase();
  }

  void lowerCall(MatmulOp op, ConstantOp constant, const KernelSpec &spec,
                 func::FuncOp kernel) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    MLIRContext *ctx = &getContext();
    N16K4Geometry geo = spec.geometry();
    SmallVector<Type> argTypes = spec.argumentTypes(ctx);

    Value x = collapseToMatrix(b, loc, op.getInput());
    auto xTensor = llvm::cast<RankedTensorType>(x.getType());
    int64_t dyn = ShapedType::kDynamic;
    auto xBuffer = bufferization::ToBufferOp::create(
        b, loc,
        MemRefType::get(xTensor.getShape(), xTensor.getElementType(),
                        StridedLayoutAttr::get(ctx, dyn, {dyn, 1})),
        x, /*read_only=*/true);
    Value xArg = memref::CastOp::create(b, loc, argTypes[0], xBuffer);

    auto blobBuffer = [&](ElementsAttr attr) -> Value {
      auto typed = llvm::cast<TypedAttr>(attr);
      auto tensor = arith::ConstantOp::create(b, loc, typed);
      auto type = llvm::cast<RankedTensorType>(typed.getType());
      return bufferization::ToBufferOp::create(
          b, loc, MemRefType::get(type.getShape(), type.getElementType()),
          tensor, /*read_only=*/true);
    };
    Value packed = blobBuffer(constant.getPacked());
    Value scale = blobBuffer(constant.getScale());
    Value offset = blobBuffer(constant.getOffset());

    int64_t paddedN = geo.numTiles() * N16K4Geometry::TileRows;
    int64_t m = xTensor.getDimSize(0);
    auto yType = MemRefType::get({m, paddedN}, spec.activationType);
    SmallVector<Value> dynSizes;
    if (ShapedType::isDynamic(m))
      dynSizes.push_back(tensor::DimOp::create(b, loc, x, 0));
    Value y = memref::AllocOp::create(b, loc, yType, dynSizes);
    Value yArg = memref::CastOp::create(b, loc, argTypes[4], y);
    func::CallOp::create(b, loc, kernel,
                         ValueRange{xArg, packed, scale, offset, yArg});

    auto yTensorType = RankedTensorType::get({m, paddedN}, spec.activationType);
    Value result =
        bufferization::ToTensorOp::create(b, loc, yTensorType, y,
                                          /*restrict=*/true, /*writable=*/true);
    int64_t n = spec.weight.getRows();
    if (n != paddedN) {
      SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0),
                                           b.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, x, 0),
                                         b.getIndexAttr(n)};
      SmallVector<OpFoldResult> strides = {b.getIndexAttr(1),
                                           b.getIndexAttr(1)};
      result = tensor::ExtractSliceOp::create(b, loc, result, offsets, sizes,
                                              strides);
    }
    auto resultType = llvm::cast<RankedTensorType>(op.getType());
    result = expandFromMatrix(b, loc, result, op.getInput(), resultType);
    op.replaceAllUsesWith(result);
    op.erase();
  }
};

struct DQBuildCPUKernelsPass
    : public mlir::dq::impl::DQBuildCPUKernelsBase<DQBuildCPUKernelsPass> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> declarations;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func->hasAttr(kKernelAttrName))
        declarations.push_back(func);
    for (func::FuncOp func : declarations) {
      if (!func.isExternal()) {
        func.emitOpError() << "is marked " << kKernelAttrName
                           << " but already has a body";
        return signalPassFailure();
      }
      FailureOr<KernelSpec> spec = readKernelSpec(func);
      if (failed(spec))
        return signalPassFailure();
      buildKernelBody(func, *spec);
      ++numBuilt;
    }
  }
};

} // namespace
