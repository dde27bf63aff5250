//===- Kernel.cpp - the kernel function: signature, threads, row blocks ---===//

#include "Kernel.h"
#include "KernelUtil.h"

#include "mlir/Dialect/LLVMIR/LLVMAttrs.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq::kernel;

static bool hostIsX86() {
  return llvm::Triple(llvm::sys::getProcessTriple()).isX86();
}

CPUTarget mlir::dq::resolveCPUTarget(CPUTargetOption option) {
  switch (option) {
  case CPUTargetOption::AVX512:
    return CPUTarget::AVX512;
  case CPUTargetOption::AVX2:
    return CPUTarget::AVX2;
  case CPUTargetOption::Generic:
    return CPUTarget::Generic;
  case CPUTargetOption::Host:
    break;
  }
  if (!hostIsX86())
    return CPUTarget::Generic;
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  auto has = [&](StringRef f) { return features.lookup(f); };
  if (has("avx512f") && has("avx512bw") && has("avx512vnni"))
    return CPUTarget::AVX512;
  if (has("avx2") && has("fma") && has("f16c"))
    return CPUTarget::AVX2;
  return CPUTarget::Generic;
}

static std::string typeName(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

KernelSpec KernelSpec::get(dq_cpu::MatmulConfigAttr config,
                           Type activationType) {
  KernelSpec spec;
  spec.weight = config.getWeight();
  spec.activationType = activationType;
  spec.target = config.getTarget();
  spec.int8 = config.getInt8();
  spec.mBlock = config.getMBlock();
  spec.parallel = config.getParallel();
  return spec;
}

dq_cpu::MatmulConfigAttr
KernelSpec::getConfig(function_ref<InFlightDiagnostic()> emitError) const {
  return dq_cpu::MatmulConfigAttr::getChecked(
      emitError, weight.getContext(), weight, target, int8, mBlock, parallel);
}

std::string KernelSpec::name() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "__dq_matmul_w" << weight.getBits() << "g" << weight.getGroup() << "_"
     << weight.getRows() << "x" << weight.getCols() << "_"
     << typeName(weight.getScaleType()) << "_x" << typeName(activationType)
     << "_" << (int8 ? "i8" : "f32") << "_"
     << dq_cpu::stringifyCPUTarget(target) << "_mb" << mBlock
     << (parallel ? "_par" : "_seq");
  return s;
}

SmallVector<Type> KernelSpec::argumentTypes(MLIRContext *ctx) const {
  N16K4Geometry geo = geometry();
  int64_t dyn = ShapedType::kDynamic;
  auto strided = StridedLayoutAttr::get(ctx, dyn, {dyn, 1});
  Type x = MemRefType::get({dyn, weight.getCols()}, activationType, strided);
  Type packed = MemRefType::get({geo.numTiles(), geo.tileBytes()},
                                IntegerType::get(ctx, 8));
  Type params = MemRefType::get(
      {geo.numTiles(), geo.numGroups(), N16K4Geometry::TileRows},
      weight.getScaleType());
  Type y = MemRefType::get({dyn, geo.numTiles() * N16K4Geometry::TileRows},
                           activationType);
  return {x, packed, params, params, y};
}

/// Output rows [0, M) of one tile: full blocks of mBlock rows, then one
/// block of each smaller power of two that the remainder holds.
static void buildTile(OpBuilder &b, Location loc, const KernelSpec &spec,
                      const Activations &act, ValueRange args, Value m,
                      Value tile) {
  unsigned block = spec.mBlock;
  Value blockSize = indexConst(b, loc, block);
  Value full = arith::DivUIOp::create(b, loc, m, blockSize);
  Value rem = arith::RemUIOp::create(b, loc, m, blockSize);
  auto tileBlock = [&](OpBuilder &nb, Value m0, unsigned rows) {
    buildTileBlock(nb, loc, spec, act, args[1], args[2], args[3], args[4], tile,
                   m0, rows);
  };
  scf::ForOp::create(b, loc, indexConst(b, loc, 0), full, indexConst(b, loc, 1),
                     ValueRange{},
                     [&](OpBuilder &nb, Location nl, Value i, ValueRange) {
                       tileBlock(nb, affine(nb, nl, nullptr, i, block), block);
                       scf::YieldOp::create(nb, nl);
                     });
  Value base = affine(b, loc, nullptr, full, block);
  for (unsigned rows = block / 2; rows >= 1; rows /= 2) {
    Value bit = arith::AndIOp::create(b, loc, rem, indexConst(b, loc, rows));
    Value has = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, bit,
                                      indexConst(b, loc, 0));
    auto ifOp = scf::IfOp::create(b, loc, has, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    // Larger remainder blocks come first: skip the rows they covered.
    Value before = arith::AndIOp::create(b, loc, rem,
                                         indexConst(b, loc, block - 2 * rows));
    tileBlock(b, arith::AddIOp::create(b, loc, base, before), rows);
  }
}

/// Kernels are never inlined; those for another instruction set than the
/// host's also keep their own code generation settings (inlined, host code
/// would compile them with the host's).
static void setTargetAttributes(func::FuncOp func, CPUTarget target) {
  MLIRContext *ctx = func.getContext();
  // Kernels are large (unrolled register blocks) and shared by every
  // layer of their shape: one copy, not one per call site.
  func->setAttr("no_inline", UnitAttr::get(ctx));
  if (!hostIsX86() || target == CPUTarget::AVX512)
    return;
  StringRef cpu = target == CPUTarget::AVX2 ? "haswell" : "x86-64";
  SmallVector<StringRef> features =
      target == CPUTarget::AVX2
          ? SmallVector<StringRef>{"+avx2", "+fma", "+f16c", "-avx512f"}
          : SmallVector<StringRef>{"+sse2", "-avx"};
  func->setAttr("target_cpu", StringAttr::get(ctx, cpu));
  func->setAttr("target_features",
                LLVM::TargetFeaturesAttr::get(ctx, features));
}

func::FuncOp mlir::dq::buildKernel(OpBuilder &moduleBuilder, Location loc,
                                   StringRef name, const KernelSpec &spec) {
  MLIRContext *ctx = moduleBuilder.getContext();
  auto type = FunctionType::get(ctx, spec.argumentTypes(ctx), {});
  auto func = func::FuncOp::create(moduleBuilder, loc, name, type);
  func.setPrivate();
  setTargetAttributes(func, spec.target);

  OpBuilder b(ctx);
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  ValueRange args = entry->getArguments();
  Value m = memref::DimOp::create(b, loc, args[0], 0);
  Activations act = buildPrologue(b, loc, spec, args[0], m);

  Value tiles = indexConst(b, loc, spec.geometry().numTiles());
  Value zero = indexConst(b, loc, 0), one = indexConst(b, loc, 1);
  if (spec.parallel) {
    scf::ParallelOp::create(b, loc, ValueRange{zero}, ValueRange{tiles},
                            ValueRange{one},
                            [&](OpBuilder &nb, Location, ValueRange iv) {
                              buildTile(nb, loc, spec, act, args, m, iv[0]);
                            });
  } else {
    scf::ForOp::create(b, loc, zero, tiles, one, ValueRange{},
                       [&](OpBuilder &nb, Location nl, Value t, ValueRange) {
                         buildTile(nb, loc, spec, act, args, m, t);
                         scf::YieldOp::create(nb, nl);
                       });
  }
  for (Value buffer : {act.padded, act.groupSums, act.quantized,
                       act.quantScales, act.quantBias})
    if (buffer)
      memref::DeallocOp::create(b, loc, buffer);
  func::ReturnOp::create(b, loc);
  return func;
}
