//===- TestPasses.cpp - register the dq test passes -----------------------===//

#include "TestPasses.h"

void mlir::dq::test::registerTestPasses() {
  registerTestDQToCPUInForeignPass();
  registerTestDQToLinalgInForeignPass();
  registerTestDQQuantPatterns();
}
