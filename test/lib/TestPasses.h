//===- TestPasses.h - dq test passes ----------------------------*- C++ -*-===//

#ifndef DQ_TEST_LIB_TESTPASSES_H
#define DQ_TEST_LIB_TESTPASSES_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::dq::test {

/// The dq_test dialect: #dq_test.transposed (Dialect/TestLayout.cpp).
void registerTestLayout(DialectRegistry &registry);

/// Registers every test pass (--test-dq-*) with the global registry.
void registerTestPasses();

/// One registration function per test pass.
void registerTestDQToCPUInForeignPass();
void registerTestDQToLinalgInForeignPass();
void registerTestDQQuantPatterns();

} // namespace mlir::dq::test

#endif // DQ_TEST_LIB_TESTPASSES_H
