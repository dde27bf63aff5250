//===- dq-compile.cpp - ahead-of-time compilation to a shared object ------===//
//
// dq-compile MODULE.mlir -o model.so
//
// Translates an LLVM-dialect module from `dq-opt --dq-cpu-pipeline` to LLVM
// IR, optimizes it for the host CPU, emits a position-independent object and
// links it into a shared object with the system C compiler driver. The
// signatures recorded by dq-export-abi go into the symbol `_dq_abi_index`, so
// the dq runtime can load and check the module without LLVM. A module that
// calls into libomp (scf.parallel lowered through convert-scf-to-openmp) is
// linked against it, with an rpath, so that dlopen finds it. GPU host code
// (gpu.binary, gpu.launch_func from the gpu-to-llvm lowering) embeds its
// kernels and calls the mgpu* functions that libdqrt provides; such modules
// are marked with `_dq_requires_device = "cuda"`.
//
//===----------------------------------------------------------------------===//

#include "dq/Target/MissingFunctions.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

#include <dlfcn.h>

using namespace llvm;

static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<module.mlir>"));
static cl::opt<std::string> outputFile("o", cl::Required,
                                       cl::desc("Output shared object"),
                                       cl::value_desc("model.so"));
static cl::opt<unsigned> optLevel("opt-level", cl::init(3),
                                  cl::desc("LLVM optimization level (0-3)"));
static cl::opt<std::string>
    linker("cc", cl::init(""),
           cl::desc("C compiler driver used to link (default: cc, gcc or "
                    "clang on PATH)"));

static cl::opt<std::string>
    libomp("libomp", cl::init(DQ_LIBOMP_PATH),
           cl::desc("libomp to link modules that use OpenMP with"),
           cl::value_desc("path"));

/// Whether a function the module declares exists where the shared object
/// runs: libc, libm, libdqrt (mgpu*, memrefCopy, the bf16 truncations, the
/// calibration observer) and libomp (linked in when used).
static bool providedAtRunTime(StringRef name) {
  if (name.starts_with("mgpu") || name.starts_with("omp_") ||
      name.starts_with("__kmpc_") || name.starts_with("_mlir_ciface_dqrt_") ||
      llvm::is_contained({"memrefCopy", "__truncsfbf2", "__truncdfbf2"}, name))
    return true;
  static void *libc = dlopen("libc.so.6", RTLD_NOW);
  static void *libm = dlopen("libm.so.6", RTLD_NOW);
  std::string symbol = name.str();
  return (libc && dlsym(libc, symbol.c_str())) ||
         (libm && dlsym(libm, symbol.c_str()));
}

static int fail(const Twine &message) {
  errs() << "dq-compile: error: " << message << "\n";
  return 1;
}

/// Adds `const char *const _dq_abi_index = "{...}"` to the module.
/// Adds `const char *const Name = "Text"` to the module, e.g. the signature
/// index `_dq_abi_index`.
static void addStringSymbol(llvm::Module &module, StringRef name,
                            StringRef text) {
  LLVMContext &ctx = module.getContext();
  Constant *data = ConstantDataArray::getString(ctx, text);
  auto *dataGlobal =
      new GlobalVariable(module, data->getType(), true,
                         GlobalValue::PrivateLinkage, data, name + "_text");
  auto *symbol =
      new GlobalVariable(module, PointerType::get(ctx, 0), true,
                         GlobalValue::ExternalLinkage, dataGlobal, name);
  symbol->setVisibility(GlobalValue::DefaultVisibility);
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "dq ahead-of-time compiler: LLVM-dialect MLIR "
                              "to a shared object for the dq runtime\n");
  if (optLevel > 3)
    return fail("--opt-level must be 0..3");
  if (!sys::fs::exists(inputFile))
    return fail("input file '" + inputFile + "' does not exist");

  mlir::DialectRegistry registry;
  registry.insert<mlir::LLVM::LLVMDialect, mlir::omp::OpenMPDialect,
                  mlir::gpu::GPUDialect, mlir::NVVM::NVVMDialect>();
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  mlir::registerOpenMPDialectTranslation(registry);
  mlir::registerGPUDialectTranslation(registry);
  mlir::registerNVVMDialectTranslation(registry);
  mlir::gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(inputFile, &context);
  if (!module)
    return fail("cannot parse '" + inputFile +
                "' (expected the LLVM dialect from dq-opt --dq-cpu-pipeline)");

  json::Object abis;
  module->walk([&](mlir::LLVM::LLVMFuncOp func) {
    if (auto abi = func->getAttrOfType<mlir::StringAttr>("dq.abi");
        abi && !func.getName().starts_with("_mlir_ciface_"))
      abis[func.getName()] = abi.getValue().str();
  });
  if (abis.empty())
    return fail("'" + inputFile +
                "' has no function with a recorded signature; compile it with "
                "dq-opt --dq-cpu-pipeline");
  // External functions the runtime's process will not have get stubs that
  // fail the call by name, as in the JIT; the rest of the module works.
  for (const std::string &name :
       dqrt::stubMissingFunctions(*module, providedAtRunTime))
    errs() << "dq-compile: warning: '" << name
           << "' is provided by none of libc, libm, libomp, libdqrt; calling "
              "it will fail with an error\n";

  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  auto builder = orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return fail("cannot target the host: " + toString(builder.takeError()));
  builder->setRelocationModel(Reloc::PIC_);
  builder->setCodeGenOptLevel(static_cast<CodeGenOptLevel>(unsigned(optLevel)));
  auto machine = builder->createTargetMachine();
  if (!machine)
    return fail("cannot target the host: " + toString(machine.takeError()));

  LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(*module, llvmContext);
  if (!llvmModule)
    return fail("cannot translate '" + inputFile + "' to LLVM IR");
  llvmModule->setTargetTriple((*machine)->getTargetTriple());
  llvmModule->setDataLayout((*machine)->createDataLayout());
  if (Error err = mlir::makeOptimizingTransformer(optLevel, 0, machine->get())(
          llvmModule.get()))
    return fail("optimization failed: " + toString(std::move(err)));
  // The OpenMP translation emits __kmpc_* calls; user code may call omp_*.
  bool needsOpenMP = llvm::any_of(llvmModule->functions(), [](Function &f) {
    return f.isDeclaration() && (f.getName().starts_with("__kmpc_") ||
                                 f.getName().starts_with("omp_"));
  });
  if (needsOpenMP && libomp.empty())
    return fail("'" + inputFile +
                "' uses OpenMP but no libomp is known; pass --libomp");
  std::string index;
  raw_string_ostream(index) << json::Value(std::move(abis));
  addStringSymbol(*llvmModule, "_dq_abi_index", index);
  bool needsCUDA = llvm::any_of(llvmModule->functions(), [](Function &f) {
    return f.isDeclaration() && f.getName().starts_with("mgpu");
  });
  if (needsCUDA)
    addStringSymbol(*llvmModule, "_dq_requires_device", "cuda");

  // Object and shared object go to temporary files next to the output; the
  // output appears only when linking succeeded.
  SmallString<128> objectPath, sharedPath;
  std::string stem = sys::path::filename(outputFile).str();
  SmallString<128> directory(sys::path::parent_path(outputFile));
  if (directory.empty())
    directory = ".";
  int objectFD;
  if (std::error_code ec = sys::fs::createUniqueFile(
          directory + "/." + stem + ".%%%%%%.o", objectFD, objectPath))
    return fail("cannot create a temporary file in '" + directory +
                "': " + ec.message());
  // Removed on errors (FileRemover) and on SIGINT/SIGTERM (a SIGKILL still
  // leaves these two hidden files behind).
  FileRemover removeObject(objectPath);
  sys::RemoveFileOnSignal(objectPath);
  {
    raw_fd_ostream os(objectFD, /*shouldClose=*/true);
    legacy::PassManager pm;
    if ((*machine)->addPassesToEmitFile(pm, os, nullptr,
                                        CodeGenFileType::ObjectFile))
      return fail("the host target cannot emit object files");
    pm.run(*llvmModule);
    os.flush();
    if (os.has_error())
      return fail("cannot write '" + objectPath + "': " + os.error().message());
  }

  std::string driver = linker;
  if (driver.empty())
    for (const char *candidate : {"cc", "gcc", "clang", "clang-22"})
      if (auto found = sys::findProgramByName(candidate)) {
        driver = *found;
        break;
      }
  if (driver.empty())
    return fail("no C compiler driver (cc, gcc, clang) on PATH to link the "
                "shared object; pass --cc");
  if (!sys::path::is_absolute(driver))
    if (auto found = sys::findProgramByName(driver))
      driver = *found;

  int sharedFD;
  if (std::error_code ec = sys::fs::createUniqueFile(
          directory + "/." + stem + ".%%%%%%.so", sharedFD, sharedPath))
    return fail("cannot create a temporary file in '" + directory +
                "': " + ec.message());
  sys::Process::SafelyCloseFileDescriptor(sharedFD);
  FileRemover removeShared(sharedPath);
  sys::RemoveFileOnSignal(sharedPath);
  SmallVector<StringRef> linkArgs = {driver, "-shared", "-o", sharedPath,
                                     objectPath};
  std::string rpath;
  if (needsOpenMP) {
    // By path, not -lomp: the link then needs no development symlink, and
    // the rpath lets dlopen find the same library at run time.
    rpath = "-Wl,-rpath," + sys::path::parent_path(libomp).str();
    linkArgs.push_back(libomp);
    linkArgs.push_back(rpath);
  }
  std::string linkError;
  int rc =
      sys::ExecuteAndWait(driver, linkArgs, std::nullopt, {}, 0, 0, &linkError);
  if (rc != 0)
    return fail("linking with '" + driver + "' failed" +
                (linkError.empty() ? "" : ": " + linkError));
  if (std::error_code ec = sys::fs::rename(sharedPath, outputFile))
    return fail("cannot write '" + outputFile + "': " + ec.message());
  removeShared.releaseFile();
  sys::DontRemoveFileOnSignal(sharedPath);
  sys::DontRemoveFileOnSignal(objectPath);
  return 0;
}
