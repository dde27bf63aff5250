//===- TestLayout.cpp - a weight layout defined outside dq ----------------===//

#include "DQ/IR/DQDialect.h"
#include "DQ/IR/DQTypes.h"
#include "TestPasses.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include "TestLayoutDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "TestLayoutAttrs.h.inc"

using namespace mlir;
using namespace mlir::dq;
using namespace mlir::dq_test;

#include "TestLayoutDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "TestLayoutAttrs.cpp.inc"

namespace {
struct TestLayouts : public WeightLayoutDialectInterface {
  using WeightLayoutDialectInterface::WeightLayoutDialectInterface;
  void getLayouts(
      SmallVectorImpl<WeightLayoutAttrInterface> &layouts) const override {
    layouts.push_back(TransposedAttr::get(getContext()));
  }
};

int64_t columnBytes(int64_t rows, unsigned bits) {
  return (rows * bits + 7) / 8;
}
} // namespace

void DQTestDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "TestLayoutAttrs.cpp.inc"
      >();
  addInterfaces<TestLayouts>();
}

StringRef TransposedAttr::getLayoutName() const { return "test_transposed"; }

LogicalResult
TransposedAttr::verifyWeight(function_ref<InFlightDiagnostic()> emitError,
                             int64_t rows, int64_t cols, unsigned bits,
                             int64_t group, Type scaleType) const {
  if (8 % bits != 0)
    return emitError() << "layout test_transposed needs fields that do not "
                          "straddle bytes; got "
                       << bits << " bits";
  return success();
}

RankedTensorType TransposedAttr::getPackedType(WeightType weight) const {
  return RankedTensorType::get(
      {weight.getCols(), columnBytes(weight.getRows(), weight.getBits())},
      IntegerType::get(getContext(), 8));
}

RankedTensorType TransposedAttr::getStoredScaleType(WeightType weight) const {
  return weight.getScaleTensorType();
}

int64_t TransposedAttr::getFieldBias(unsigned) const { return 0; }

llvm::Error TransposedAttr::packInts(WeightType weight, ArrayRef<int8_t> q,
                                     MutableArrayRef<uint8_t> out) const {
  int64_t rows = weight.getRows(), cols = weight.getCols();
  unsigned bits = weight.getBits();
  int64_t stride = columnBytes(rows, bits);
  if (int64_t(q.size()) != rows * cols || int64_t(out.size()) != cols * stride)
    return llvm::createStringError("test_transposed: wrong buffer sizes");
  llvm::fill(out, 0);
  unsigned mask = (1u << bits) - 1;
  for (int64_t n = 0; n < rows; ++n)
    for (int64_t k = 0; k < cols; ++k) {
      int64_t bit = n * bits;
      out[k * stride + bit / 8] |= (uint8_t(q[n * cols + k]) & mask)
                                   << (bit % 8);
    }
  return llvm::Error::success();
}

void mlir::dq::test::registerTestLayout(DialectRegistry &registry) {
  registry.insert<DQTestDialect>();
  registry.addExtension(+[](MLIRContext *ctx, DQDialect *) {
    ctx->getOrLoadDialect<DQTestDialect>();
  });
}
