//===- WeightData.cpp - reading and writing weight blobs ------------------===//

#include "WeightData.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;
using namespace mlir::dq;

FailureOr<SmallVector<char>> mlir::dq::getElementBytes(ElementsAttr attr) {
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return failure();
    ArrayRef<char> data = blob->getData();
    return SmallVector<char>(data.begin(), data.end());
  }
  auto dense = llvm::dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return failure();
  unsigned width = dense.getElementType().getIntOrFloatBitWidth();
  unsigned bytes = (width + 7) / 8;
  SmallVector<char> out;
  out.reserve(dense.getNumElements() * bytes);
  auto append = [&](const APInt &bits) {
    uint64_t word = bits.getZExtValue();
    char buffer[8];
    std::memcpy(buffer, &word, sizeof(word));
    out.append(buffer, buffer + bytes);
  };
  if (llvm::isa<FloatType>(dense.getElementType())) {
    for (const APFloat &v : dense.getValues<APFloat>())
      append(v.bitcastToAPInt());
  } else {
    for (const APInt &v : dense.getValues<APInt>())
      append(v);
  }
  return out;
}

FailureOr<SmallVector<double>> mlir::dq::readFloats(ElementsAttr attr,
                                                    FloatType type) {
  FailureOr<SmallVector<char>> bytes = getElementBytes(attr);
  if (failed(bytes))
    return failure();
  unsigned width = type.getWidth(), size = width / 8;
  int64_t count = attr.getNumElements();
  if (int64_t(bytes->size()) != count * size)
    return failure();
  SmallVector<double> out;
  out.reserve(count);
  for (int64_t i = 0; i < count; ++i) {
    uint64_t word = 0;
    std::memcpy(&word, bytes->data() + i * size, size);
    APFloat value(type.getFloatSemantics(), APInt(width, word));
    bool lost;
    value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    out.push_back(value.convertToDouble());
  }
  return out;
}

DenseResourceElementsAttr mlir::dq::makeBlob(ShapedType type, StringRef name,
                                             ArrayRef<char> bytes) {
  return DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, kBlobAlignment));
}

std::string mlir::dq::describeWeight(ElementsAttr packed) {
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(packed))
    return ("weight '" + resource.getRawHandle().getKey() + "'").str();
  return "weight";
}

double mlir::dq::roundTo(double value, FloatType type) {
  APFloat v(value);
  bool lost;
  v.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
  v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return v.convertToDouble();
}
