//===- dq-opt.cpp - the dq optimizer driver -------------------------------===//

#include "Registration.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  dqopt::registerDQOptDialects(registry);
  dqopt::registerDQOptPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dq optimizer driver\n", registry));
}
