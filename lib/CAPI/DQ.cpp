//===- DQ.cpp - C API of the dq dialect -----------------------------------===//

#include "dq-c/DQ.h"

#include "DQ/IR/DQDialect.h"
#include "DQ/IR/DQTypes.h"
#include "dq/InitAll.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/CAPI/Support.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using mlir::dq::WeightType;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(DQ, dq, mlir::dq::DQDialect)

static WeightType weight(MlirType type) {
  return llvm::cast<WeightType>(unwrap(type));
}

bool dqTypeIsAWeight(MlirType type) {
  return llvm::isa<WeightType>(unwrap(type));
}

MlirTypeID dqWeightTypeGetTypeID() { return wrap(WeightType::getTypeID()); }

MlirType dqWeightTypeGetChecked(MlirLocation loc, int64_t rows, int64_t cols,
                                unsigned bits, int64_t groupSize,
                                MlirType scaleType) {
  Location location = unwrap(loc);
  int64_t group = groupSize == -1 ? cols : groupSize;
  return wrap(WeightType::getChecked(
      [&] { return emitError(location); }, location.getContext(), rows, cols,
      bits, group, unwrap(scaleType),
      mlir::dq::WeightLayoutAttrInterface(
          mlir::dq::RowMajorAttr::get(location.getContext()))));
}

int64_t dqWeightTypeGetRows(MlirType type) { return weight(type).getRows(); }
int64_t dqWeightTypeGetCols(MlirType type) { return weight(type).getCols(); }
unsigned dqWeightTypeGetBits(MlirType type) { return weight(type).getBits(); }
int64_t dqWeightTypeGetGroupSize(MlirType type) {
  return weight(type).getGroup();
}
int64_t dqWeightTypeGetNumGroups(MlirType type) {
  return weight(type).getNumGroups();
}
MlirType dqWeightTypeGetScaleType(MlirType type) {
  return wrap(weight(type).getScaleType());
}
MlirStringRef dqWeightTypeGetLayout(MlirType type) {
  return wrap(weight(type).getLayout().getLayoutName());
}
MlirType dqWeightTypeGetIntTensorType(MlirType type) {
  return wrap(Type(weight(type).getIntTensorType()));
}
MlirType dqWeightTypeGetPackedTensorType(MlirType type) {
  return wrap(Type(weight(type).getPackedTensorType()));
}

void dqRegisterAllDialects(MlirDialectRegistry registry) {
  mlir::dq::registerAllDialects(*unwrap(registry));
}

void dqRegisterAllPasses() {
  mlir::dq::registerAllPasses();
  mlir::dq::registerAllPipelines();
}
