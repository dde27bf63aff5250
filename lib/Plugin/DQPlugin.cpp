//===- DQPlugin.cpp - dq as a plugin of upstream mlir-opt -----------------===//
//
//   mlir-opt --load-dialect-plugin=lib/DQPlugin.so \
//            --load-pass-plugin=lib/DQPlugin.so --dq-cpu-pipeline in.mlir
//
// mlir-opt already registers every upstream dialect, extension and pass, so
// the plugin adds dq's dialect, passes and pipelines only: registering an
// upstream pass a second time would be a fatal error.
//
//===----------------------------------------------------------------------===//

#include "dq/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK ::mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "DQ", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mlir::dq::registerDQDialect(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK ::mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "DQPasses", LLVM_VERSION_STRING, []() {
            mlir::dq::registerAllPasses();
            mlir::dq::registerAllPipelines();
          }};
}
