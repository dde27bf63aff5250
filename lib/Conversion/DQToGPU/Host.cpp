//===- Host.cpp - the host side of a CUDA matmul --------------------------===//
//
// The host function a dq.kernel with a #dq_gpu.matmul config calls, in gpu
// and memref ops that gpu-to-llvm turns into the runtime's mgpu* calls:
//
//   - with cache_weight, the weight's three parts are copied to the device
//     on the first call and kept: their memref descriptors live in module
//     globals (LLVM dialect), null until the first call; without, they are
//     copied on every call and freed at its end;
//   - each call copies the activations in (through a contiguous host copy),
//     pads them when the layout needs it, fills the device output with NaN
//     (so that an element no kernel writes cannot pass for a result), runs
//     the matmul kernel `repeat` times, copies the output back and frees
//     its device buffers, all on one stream that it waits for.
//
//===----------------------------------------------------------------------===//

#include "CUDAKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq::cuda;

/// The LLVM struct a memref of `type` lowers to (64-bit indices).
static Type descriptorType(MemRefType type) {
  MLIRContext *ctx = type.getContext();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = IntegerType::get(ctx, 64);
  Type array = LLVM::LLVMArrayType::get(i64, type.getRank());
  return LLVM::LLVMStructType::getLiteral(ctx, {ptr, ptr, i64, array, array});
}

/// An internal global holding a zero descriptor of `type`.
static LLVM::GlobalOp createCacheGlobal(OpBuilder &b, ModuleOp module,
                                        StringRef name, MemRefType type) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  Type desc = descriptorType(type);
  auto global = LLVM::GlobalOp::create(
      b, module.getLoc(), desc,
      /*isConstant=*/false, LLVM::Linkage::Internal, name, Attribute());
  Block *init = b.createBlock(&global.getInitializerRegion());
  b.setInsertionPointToStart(init);
  Value zero = LLVM::ZeroOp::create(b, module.getLoc(), desc);
  LLVM::ReturnOp::create(b, module.getLoc(), zero);
  return global;
}

/// Device copies of the weight's parts, on a stream it waits for.
static SmallVector<Value> copyWeightToDevice(OpBuilder &b, Location loc,
                                             ArrayRef<Value> hostParts,
                                             ArrayRef<MemRefType> partTypes) {
  Type token = gpu::AsyncTokenType::get(b.getContext());
  Value t = gpu::WaitOp::create(b, loc, token, ValueRange{}).getAsyncToken();
  SmallVector<Value> device;
  for (auto [host, type] : llvm::zip(hostParts, partTypes)) {
    auto alloc =
        gpu::AllocOp::create(b, loc, type, token, ValueRange{t}, ValueRange{},
                             ValueRange{}, /*hostShared=*/false);
    t = gpu::MemcpyOp::create(b, loc, token, ValueRange{alloc.getAsyncToken()},
                              alloc.getMemref(), host)
            .getAsyncToken();
    device.push_back(alloc.getMemref());
  }
  gpu::WaitOp::create(b, loc, Type(), ValueRange{t});
  return device;
}

func::FuncOp mlir::dq::buildCUDAMatmulHost(OpBuilder &moduleBuilder,
                                           Location loc, StringRef name,
                                           const CUDAMatmulSpec &spec,
                                           gpu::GPUModuleOp kernels) {
  MLIRContext *ctx = moduleBuilder.getContext();
  auto func = func::FuncOp::create(
      moduleBuilder, loc, name,
      FunctionType::get(ctx, spec.hostArgumentTypes(ctx), {}));
  auto module = func->getParentOfType<ModuleOp>();
  GPUChunkedGeometry geo = spec.geometry();
  Type act = spec.activationType;
  int64_t dyn = ShapedType::kDynamic;
  OpBuilder b(ctx);

  // Kernels first (they are shared between host functions).
  gpu::GPUFuncOp pad;
  if (spec.needsPadding())
    pad = buildPadKernel(b, kernels, spec);
  gpu::GPUFuncOp kernel = spec.route == CUDARoute::GEMV
                              ? buildGEMVKernel(b, kernels, spec)
                              : buildGEMMKernel(b, kernels, spec);

  auto packed1DType =
      MemRefType::get({geo.Rows * geo.rowBytes()}, IntegerType::get(ctx, 8));
  auto paramType =
      MemRefType::get({geo.Rows, geo.numGroups()}, spec.weight.getScaleType());
  MemRefType partTypes[3] = {packed1DType, paramType, paramType};
  // Cache globals, one per weight part.
  std::string prefix = (func.getSymName() + "_device_").str();
  SmallVector<LLVM::GlobalOp, 3> globals;
  if (spec.cacheWeight)
    globals = {createCacheGlobal(b, module, prefix + "packed", packed1DType),
               createCacheGlobal(b, module, prefix + "scale", paramType),
               createCacheGlobal(b, module, prefix + "offset", paramType)};

  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Value x = entry->getArgument(0), packed = entry->getArgument(1),
        scale = entry->getArgument(2), offset = entry->getArgument(3),
        y = entry->getArgument(4);
  Type token = gpu::AsyncTokenType::get(ctx);

  Value packed1D = memref::CollapseShapeOp::create(
      b, loc, packed1DType, packed, ArrayRef<ReassociationIndices>{{0, 1}});
  Value hostParts[3] = {packed1D, scale, offset};
  SmallVector<Value> deviceParts;
  if (spec.cacheWeight) {
    // Device copies of the weight, made on the first call.
    SmallVector<Value> addresses, descriptors;
    for (LLVM::GlobalOp global : globals) {
      Value address = LLVM::AddressOfOp::create(b, loc, global);
      addresses.push_back(address);
      descriptors.push_back(
          LLVM::LoadOp::create(b, loc, global.getGlobalType(), address));
    }
    Value allocated = LLVM::ExtractValueOp::create(b, loc, descriptors[0], 1);
    Value null = LLVM::ZeroOp::create(b, loc, LLVM::LLVMPointerType::get(ctx));
    Value first =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, allocated, null);
    auto ifFirst = scf::IfOp::create(
        b, loc, TypeRange{packed1DType, paramType, paramType}, first,
        /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifFirst.thenBlock());
      SmallVector<Value> device =
          copyWeightToDevice(b, loc, hostParts, partTypes);
      for (int i = 0; i < 3; ++i) {
        Value desc = UnrealizedConversionCastOp::create(
                         b, loc, globals[i].getGlobalType(), device[i])
                         .getResult(0);
        LLVM::StoreOp::create(b, loc, desc, addresses[i]);
      }
      scf::YieldOp::create(b, loc, device);
    }
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifFirst.elseBlock());
      SmallVector<Value> device;
      for (int i = 0; i < 3; ++i)
        device.push_back(UnrealizedConversionCastOp::create(
                             b, loc, partTypes[i], descriptors[i])
                             .getResult(0));
      scf::YieldOp::create(b, loc, device);
    }
    deviceParts = ifFirst.getResults();
  } else {
    deviceParts = copyWeightToDevice(b, loc, hostParts, partTypes);
  }
  Value devPacked1D = deviceParts[0];
  Value devScale = deviceParts[1], devOffset = deviceParts[2];
  auto wordsType =
      MemRefType::get({geo.Rows, geo.rowWords()}, IntegerType::get(ctx, 32));
  Value devWords = memref::ViewOp::create(b, loc, wordsType, devPacked1D,
                                          idx(b, loc, 0), ValueRange{});

  Value m = memref::DimOp::create(b, loc, x, 0);
  Value nonEmpty = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, m,
                                         idx(b, loc, 0));
  auto ifRun = scf::IfOp::create(b, loc, nonEmpty, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifRun.thenBlock());
    auto ceilDiv = [&](Value v, int64_t d) -> Value {
      Value sum = arith::AddIOp::create(b, loc, v, idx(b, loc, d - 1));
      return arith::DivUIOp::create(b, loc, sum, idx(b, loc, d));
    };
    Value one = idx(b, loc, 1);

    // A contiguous host copy of the activations (x may be a strided view).
    auto xType = MemRefType::get({dyn, geo.Cols}, act);
    Value xHost = memref::AllocOp::create(b, loc, xType, ValueRange{m});
    memref::CopyOp::create(b, loc, x, xHost);

    Value t = gpu::WaitOp::create(b, loc, token, ValueRange{}).getAsyncToken();
    auto xAlloc = gpu::AllocOp::create(b, loc, xType, token, ValueRange{t},
                                       ValueRange{m}, ValueRange{}, false);
    Value xDev = xAlloc.getMemref();
    t = gpu::MemcpyOp::create(b, loc, token, ValueRange{xAlloc.getAsyncToken()},
                              xDev, xHost)
            .getAsyncToken();
    Value xKernel = xDev;
    if (pad) {
      auto xpType = MemRefType::get({dyn, geo.paddedCols()}, act);
      auto xpAlloc = gpu::AllocOp::create(b, loc, xpType, token, ValueRange{t},
                                          ValueRange{m}, ValueRange{}, false);
      xKernel = xpAlloc.getMemref();
      Value total =
          arith::MulIOp::create(b, loc, m, idx(b, loc, geo.paddedCols()));
      t = gpu::LaunchFuncOp::create(
              b, loc, pad, gpu::KernelDim3{ceilDiv(total, 256), one, one},
              gpu::KernelDim3{idx(b, loc, 256), one, one}, Value(),
              ValueRange{xDev, xKernel}, token,
              ValueRange{xpAlloc.getAsyncToken()})
              .getAsyncToken();
    }
    auto yType = MemRefType::get({dyn, geo.Rows}, act);
    auto yAlloc = gpu::AllocOp::create(b, loc, yType, token, ValueRange{t},
                                       ValueRange{m}, ValueRange{}, false);
    Value yDev = yAlloc.getMemref();
    t = yAlloc.getAsyncToken();
    if (spec.poison) {
      auto floatType = llvm::cast<FloatType>(act);
      Value nan = arith::ConstantFloatOp::create(
          b, loc, floatType,
          llvm::APFloat::getQNaN(floatType.getFloatSemantics()));
      t = gpu::MemsetOp::create(b, loc, token, ValueRange{t}, yDev, nan)
              .getAsyncToken();
    }
    gpu::KernelDim3 grid, block;
    if (spec.route == CUDARoute::GEMV) {
      int64_t rowsPerBlock = spec.warps * spec.rowsPerWarp;
      grid = {idx(b, loc, (geo.Rows + rowsPerBlock - 1) / rowsPerBlock),
              ceilDiv(m, spec.mBlock), one};
      block = {idx(b, loc, 32 * spec.warps), one, one};
    } else {
      grid = {idx(b, loc, (geo.Rows + spec.tileN - 1) / spec.tileN),
              ceilDiv(m, spec.tileM), one};
      block = {idx(b, loc, 128), one, one};
    }
    for (unsigned r = 0; r < spec.repeat; ++r)
      t = gpu::LaunchFuncOp::create(
              b, loc, kernel, grid, block, Value(),
              ValueRange{xKernel, devWords, devScale, devOffset, yDev}, token,
              ValueRange{t})
              .getAsyncToken();
    t = gpu::MemcpyOp::create(b, loc, token, ValueRange{t}, y, yDev)
            .getAsyncToken();
    t = gpu::DeallocOp::create(b, loc, token, ValueRange{t}, xDev)
            .getAsyncToken();
    if (pad)
      t = gpu::DeallocOp::create(b, loc, token, ValueRange{t}, xKernel)
              .getAsyncToken();
    t = gpu::DeallocOp::create(b, loc, token, ValueRange{t}, yDev)
            .getAsyncToken();
    gpu::WaitOp::create(b, loc, Type(), ValueRange{t});
    memref::DeallocOp::create(b, loc, xHost);
  }
  if (!spec.cacheWeight) {
    Value t = gpu::WaitOp::create(b, loc, token, ValueRange{}).getAsyncToken();
    for (Value part : deviceParts)
      t = gpu::DeallocOp::create(b, loc, token, ValueRange{t}, part)
              .getAsyncToken();
    gpu::WaitOp::create(b, loc, Type(), ValueRange{t});
  }
  func::ReturnOp::create(b, loc);
  func.setPrivate();
  return func;
}
