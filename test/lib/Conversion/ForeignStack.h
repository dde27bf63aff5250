//===- ForeignStack.h - the stack the foreign-pass tests play ---*- C++ -*-===//
//
// What an IREE-style stack brings to its own dialect conversion before it
// adds dq's patterns: its type rules (the identity), its target (arith,
// linalg and tensor legal, its own arith.negf illegal, the dq dialect
// illegal, functions legal once their types are), and its patterns (negf as
// a multiplication, func signatures, calls and returns). Shared by the
// test passes that embed dq's portable and CPU patterns.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_TEST_LIB_CONVERSION_FOREIGNSTACK_H
#define DQ_TEST_LIB_CONVERSION_FOREIGNSTACK_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::dq::test {

/// Sets up the stack's converter rules, target and patterns; the caller
/// adds dq's type conversions, patterns and legality exceptions.
void setUpForeignStack(TypeConverter &converter, ConversionTarget &target,
                       RewritePatternSet &patterns);

} // namespace mlir::dq::test

#endif // DQ_TEST_LIB_CONVERSION_FOREIGNSTACK_H
