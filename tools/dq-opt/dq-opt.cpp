//===- dq-opt.cpp - the dq optimizer driver -------------------------------===//
//
// MlirOptMain over dq/InitAll.h. An output file (-o FILE) is written
// atomically (dq/Support/AtomicFile.h): it appears complete or not at all,
// also when dq-opt fails or is killed part-way through a long pass such as
// --dq-quantize, where MlirOptMain would leave an empty or partial file.
//
//===----------------------------------------------------------------------===//

#include "TestPasses.h"
#include "dq/InitAll.h"
#include "dq/Support/AtomicFile.h"

#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  mlir::DialectRegistry registry;
  mlir::dq::registerAllDialects(registry);
  mlir::dq::test::registerTestLayout(registry);
  mlir::dq::registerAllPasses();
  mlir::dq::registerAllPipelines();
  mlir::dq::registerUpstreamPasses();
  mlir::dq::test::registerTestPasses();
  auto [inputFilename, outputFilename] = mlir::registerAndParseCLIOptions(
      argc, argv, "dq optimizer driver\n", registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  // --show-dialects and --list-passes print and return before any input.
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(llvm::outs(), nullptr, registry, config));

  if (inputFilename == "-" &&
      llvm::sys::Process::FileDescriptorIsDisplayed(fileno(stdin)))
    llvm::errs() << "(processing input from stdin now, hit ctrl-c/ctrl-d to "
                    "interrupt)\n";
  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputFilename, &errorMessage);
  if (!input) {
    llvm::errs() << "dq-opt: error: " << errorMessage << "\n";
    return EXIT_FAILURE;
  }

  if (outputFilename == "-") {
    std::unique_ptr<llvm::ToolOutputFile> output =
        mlir::openOutputFile(outputFilename, &errorMessage);
    if (!output) {
      llvm::errs() << "dq-opt: error: " << errorMessage << "\n";
      return EXIT_FAILURE;
    }
    if (mlir::failed(mlir::MlirOptMain(output->os(), std::move(input), registry,
                                       config)))
      return EXIT_FAILURE;
    output->keep();
    return EXIT_SUCCESS;
  }

  // MlirOptMain reports its own failures (diagnostics); this error only
  // tells writeFileAtomically to discard the file.
  bool optFailed = false;
  llvm::Error error = dq::writeFileAtomically(
      outputFilename, [&](llvm::raw_ostream &os) -> llvm::Error {
        if (mlir::succeeded(
                mlir::MlirOptMain(os, std::move(input), registry, config)))
          return llvm::Error::success();
        optFailed = true;
        return llvm::createStringError("dq-opt failed");
      });
  if (error) {
    if (optFailed)
      llvm::consumeError(std::move(error));
    else
      llvm::errs() << "dq-opt: error: " << llvm::toString(std::move(error))
                   << "\n";
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}
