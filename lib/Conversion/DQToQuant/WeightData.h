//===- WeightData.h - reading and writing weight blobs ----------*- C++ -*-===//
//
// The values of a dq.constant's blobs as plain numbers, for the checks and
// conversions of the quant interop.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_LIB_CONVERSION_DQTOQUANT_WEIGHTDATA_H
#define DQ_LIB_CONVERSION_DQTOQUANT_WEIGHTDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <string>

namespace mlir::dq {

/// The raw little-endian bytes of a dense_resource or dense attribute, or
/// failure when a resource blob has no data (elided).
FailureOr<SmallVector<char>> getElementBytes(ElementsAttr attr);

/// The elements of a float attribute of type `type`, as doubles (exact for
/// f16, bf16 and f32).
FailureOr<SmallVector<double>> readFloats(ElementsAttr attr, FloatType type);

/// Alignment of the blobs we write (as scripts/dqgen.py writes them).
constexpr size_t kBlobAlignment = 16;

/// A dense_resource attribute of `type` named `name` holding `bytes`.
DenseResourceElementsAttr makeBlob(ShapedType type, StringRef name,
                                   ArrayRef<char> bytes);

/// How a weight is called in messages: its packed blob's key, if any.
std::string describeWeight(ElementsAttr packed);

/// `value` rounded once to `type`, as a double.
double roundTo(double value, FloatType type);

} // namespace mlir::dq

#endif // DQ_LIB_CONVERSION_DQTOQUANT_WEIGHTDATA_H
