//===- TestPasses.h - dq test passes ----------------------------*- C++ -*-===//

#ifndef DQ_TEST_LIB_TESTPASSES_H
#define DQ_TEST_LIB_TESTPASSES_H

namespace mlir::dq::test {

/// Registers every test pass (--test-dq-*) with the global registry.
void registerTestPasses();

/// One registration function per test pass.
void registerTestDQToLinalgInForeignPass();
void registerTestDQQuantPatterns();

} // namespace mlir::dq::test

#endif // DQ_TEST_LIB_TESTPASSES_H
