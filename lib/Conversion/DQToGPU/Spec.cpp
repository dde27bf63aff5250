//===- Spec.cpp - CUDA matmul specs and shared kernel builders ------------===//

#include "CUDAKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::dq;

static std::string typeName(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

std::string CUDAMatmulSpec::kernelName() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << (route == CUDARoute::GEMV ? "gemv" : "gemm") << "_w" << weight.getBits()
     << "g" << weight.getGroup() << "_" << weight.getRows() << "x"
     << weight.getCols() << "_" << typeName(weight.getScaleType()) << "_x"
     << typeName(activationType);
  if (route == CUDARoute::GEMV)
    os << "_mb" << mBlock << "_r" << rowsPerWarp << "_w" << warps;
  else
    os << "_t" << tileM << "x" << tileN;
  return s;
}

std::string CUDAMatmulSpec::padKernelName() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "pad_k" << weight.getCols() << "g" << weight.getGroup() << "p"
     << geometry().paddedGroup() << "_" << typeName(activationType);
  return s;
}

SmallVector<Type> CUDAMatmulSpec::hostArgumentTypes(MLIRContext *ctx) const {
  GPUChunkedGeometry geo = geometry();
  int64_t dyn = ShapedType::kDynamic;
  auto strided = StridedLayoutAttr::get(ctx, dyn, {dyn, 1});
  Type x = MemRefType::get({dyn, weight.getCols()}, activationType, strided);
  Type packed =
      MemRefType::get({geo.Rows, geo.rowBytes()}, IntegerType::get(ctx, 8));
  Type params =
      MemRefType::get({geo.Rows, geo.numGroups()}, weight.getScaleType());
  Type y = MemRefType::get({dyn, weight.getRows()}, activationType);
  return {x, packed, params, params, y};
}

CUDAMatmulSpec CUDAMatmulSpec::get(dq_gpu::MatmulConfigAttr config,
                                   Type activationType) {
  CUDAMatmulSpec spec;
  spec.weight = config.getWeight();
  spec.activationType = activationType;
  spec.route = config.getRoute();
  spec.mBlock = config.getMBlock();
  spec.rowsPerWarp = config.getRowsPerWarp();
  spec.warps = config.getWarps();
  spec.tileM = config.getTileM();
  spec.tileN = config.getTileN();
  spec.poison = config.getPoison();
  spec.repeat = config.getRepeat();
  spec.cacheWeight = config.getCacheWeight();
  return spec;
}

dq_gpu::MatmulConfigAttr
CUDAMatmulSpec::getConfig(function_ref<InFlightDiagnostic()> emitError) const {
  return dq_gpu::MatmulConfigAttr::getChecked(
      emitError, weight.getContext(), weight, route, mBlock, rowsPerWarp, warps,
      tileM, tileN, poison, repeat, cacheWeight);
}

//===----------------------------------------------------------------------===//
// Shared builders
//===----------------------------------------------------------------------===//

Value cuda::idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value cuda::i32(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}

Value cuda::f32(OpBuilder &b, Location loc, double v) {
  return arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                        llvm::APFloat(float(v)));
}

Value cuda::decodeField(OpBuilder &b, Location loc, ArrayRef<Value> words,
                        unsigned bits, int64_t e) {
  ::dq::GPUChunkField f = ::dq::locateGPUChunkField(bits, e);
  unsigned lowBits = bits == 3 ? 2 : bits;
  Value word = words[f.Word];
  Value u = word;
  if (f.Shift)
    u = arith::ShRUIOp::create(b, loc, u, i32(b, loc, f.Shift));
  if (f.Shift + lowBits < 32)
    u = arith::AndIOp::create(b, loc, u, i32(b, loc, (1 << lowBits) - 1));
  if (f.HasHigh) {
    // Bit 2: bit e of word 2, moved to bit 2.
    Value high = words[f.HighWord];
    if (f.HighShift > 2)
      high = arith::ShRUIOp::create(b, loc, high, i32(b, loc, f.HighShift - 2));
    else if (f.HighShift < 2)
      high = arith::ShLIOp::create(b, loc, high, i32(b, loc, 2 - f.HighShift));
    high = arith::AndIOp::create(b, loc, high, i32(b, loc, 4));
    u = arith::OrIOp::create(b, loc, u, high);
  }
  // 0x4B000000 is 2^23: with u < 2^23 in the mantissa the float is 2^23 + u.
  Value magic = arith::OrIOp::create(b, loc, u, i32(b, loc, 0x4B000000));
  Value asFloat = arith::BitcastOp::create(b, loc, b.getF32Type(), magic);
  return arith::SubFOp::create(b, loc, asFloat, f32(b, loc, 8388608.0));
}

Value cuda::toF32(OpBuilder &b, Location loc, Value v) {
  Type f32Type = b.getF32Type();
  if (auto vec = llvm::dyn_cast<VectorType>(v.getType())) {
    if (vec.getElementType().isF32())
      return v;
    return arith::ExtFOp::create(b, loc, vec.clone(f32Type), v);
  }
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, loc, f32Type, v);
}

Value cuda::fromF32(OpBuilder &b, Location loc, Value v, Type type) {
  if (type.isF32())
    return v;
  return arith::TruncFOp::create(b, loc, type, v);
}

std::pair<Value, Value> cuda::loadScaleOffset(OpBuilder &b, Location loc,
                                              const CUDAMatmulSpec &spec,
                                              Value scale, Value offset,
                                              Value row, Value group) {
  Value s = toF32(b, loc, memref::LoadOp::create(b, loc, scale, {row, group}));
  Value z = toF32(b, loc, memref::LoadOp::create(b, loc, offset, {row, group}));
  // s * u + (z - bias * s) = s * (u - bias) + z = s * Q + z.
  Value bias = f32(b, loc, -double(spec.geometry().bias()));
  Value zb = math::FmaOp::create(b, loc, s, bias, z);
  return {s, zb};
}

SmallVector<Value> cuda::loadChunk(OpBuilder &b, Location loc,
                                   const CUDAMatmulSpec &spec, Value packed,
                                   Value row, Value chunk) {
  GPUChunkedGeometry geo = spec.geometry();
  int64_t words = geo.chunkWords();
  Value col = arith::MulIOp::create(b, loc, chunk, idx(b, loc, words));
  auto type = VectorType::get({words}, b.getI32Type());
  // Chunks of four words start at 16-byte boundaries (rows are whole chunks
  // and device allocations are 256-byte aligned).
  Value v = vector::LoadOp::create(b, loc, type, packed, ValueRange{row, col},
                                   /*nontemporal=*/false,
                                   llvm::MaybeAlign(words == 4 ? 16 : 4));
  SmallVector<Value> result;
  for (int64_t i = 0; i < words; ++i)
    result.push_back(vector::ExtractOp::create(b, loc, v, i));
  return result;
}

SmallVector<Type> cuda::kernelArgumentTypes(MLIRContext *ctx,
                                            const CUDAMatmulSpec &spec) {
  GPUChunkedGeometry geo = spec.geometry();
  int64_t dyn = ShapedType::kDynamic;
  Type x = MemRefType::get({dyn, geo.paddedCols()}, spec.activationType);
  Type packed =
      MemRefType::get({geo.Rows, geo.rowWords()}, IntegerType::get(ctx, 32));
  Type params =
      MemRefType::get({geo.Rows, geo.numGroups()}, spec.weight.getScaleType());
  Type y = MemRefType::get({dyn, geo.Rows}, spec.activationType);
  return {x, packed, params, params, y};
}

gpu::GPUFuncOp cuda::getOrCreateKernel(OpBuilder &b, gpu::GPUModuleOp kernels,
                                       StringRef name, TypeRange args,
                                       TypeRange workgroup, bool &created) {
  created = false;
  if (auto existing = kernels.lookupSymbol<gpu::GPUFuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(kernels.getBody());
  auto type = FunctionType::get(b.getContext(), args, {});
  auto func =
      gpu::GPUFuncOp::create(b, kernels.getLoc(), name, type, workgroup);
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  created = true;
  return func;
}
