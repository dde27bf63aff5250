//===- JIT.cpp - JIT-compiling LLVM-dialect modules (libdqrt_jit) ---------===//
//
// The plugin that libdqrt opens for `.mlir` modules (see JITPlugin.h): MLIR's
// parser and ExecutionEngine at the requested optimization level, for the
// host CPU's features. Only C types cross to libdqrt.
//
//===----------------------------------------------------------------------===//

#include "JITPlugin.h"
#include "dq/Target/MissingFunctions.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

#include <dlfcn.h>
#include <functional>

namespace {

/// An error on the plugin's side; the status code travels as the error code
/// and becomes a host status at the plugin's boundary.
llvm::Error fail(dqrt_status_code code, const llvm::Twine &message) {
  return llvm::createStringError(
      std::error_code(static_cast<int>(code), std::generic_category()),
      message);
}

/// The host status for `error` (NULL on success).
dqrt_status toStatus(const dqrt_jit_host &host, llvm::Error error) {
  if (!error)
    return nullptr;
  dqrt_status_code code = DQRT_INTERNAL;
  std::string message;
  llvm::handleAllErrors(std::move(error), [&](const llvm::StringError &e) {
    code = static_cast<dqrt_status_code>(e.convertToErrorCode().value());
    message = e.getMessage();
  });
  return host.makeStatus(code, message.c_str());
}

/// A host status as an error (consumes the status).
llvm::Error fromStatus(const dqrt_jit_host &host, dqrt_status status,
                       const llvm::Twine &prefix = "") {
  if (!status)
    return llvm::Error::success();
  llvm::Error err = fail(dqrt_status_get_code(status),
                         prefix + dqrt_status_get_message(status));
  dqrt_status_free(status);
  return err;
}

/// Whether an external function `name` belongs to libomp.
bool isOpenMPEntry(llvm::StringRef name) {
  return name.starts_with("omp_") || name.starts_with("__kmpc_");
}

/// What the module needs at run time, from its ops and external functions:
/// OpenMP (omp ops from convert-scf-to-openmp, or libomp calls) and CUDA
/// (gpu.binary / gpu.launch_func, or mgpu* calls).
void scanNeeds(mlir::ModuleOp module, bool &openMP, bool &cuda) {
  openMP = cuda = false;
  module->walk([&](mlir::Operation *op) {
    mlir::Dialect *dialect = op->getDialect();
    openMP |= llvm::isa_and_present<mlir::omp::OpenMPDialect>(dialect);
    cuda |= llvm::isa_and_present<mlir::gpu::GPUDialect>(dialect);
    if (auto func = llvm::dyn_cast<mlir::LLVM::LLVMFuncOp>(op);
        func && func.isExternal()) {
      openMP |= isOpenMPEntry(func.getName());
      cuda |= func.getName().starts_with("mgpu");
    }
  });
}

class JITModule {
public:
  llvm::Error load(const dqrt_jit_host &host, llvm::StringRef path,
                   const dqrt_runtime_options &opts) {
    int optLevel = opts.jit_opt_level;
    mlir::DialectRegistry registry;
    registry.insert<mlir::LLVM::LLVMDialect, mlir::omp::OpenMPDialect,
                    mlir::gpu::GPUDialect, mlir::NVVM::NVVMDialect>();
    mlir::registerBuiltinDialectTranslation(registry);
    mlir::registerLLVMDialectTranslation(registry);
    mlir::registerOpenMPDialectTranslation(registry);
    // GPU host code: gpu.binary embeds the kernels and loads them in a
    // global constructor; gpu.launch_func becomes mgpu* calls.
    mlir::registerGPUDialectTranslation(registry);
    mlir::registerNVVMDialectTranslation(registry);
    mlir::gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(
        registry);
    context.appendDialectRegistry(registry);

    std::string diagnostics;
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      llvm::raw_string_ostream os(diagnostics);
      os << "\n  ";
      if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(d.getLocation()))
        os << file.getFilename().getValue() << ":" << file.getLine() << ":"
           << file.getColumn();
      else
        os << d.getLocation();
      os << ": " << d;
      return mlir::success();
    });
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceFile<mlir::ModuleOp>(path, &context);
    if (!module)
      return fail(DQRT_INVALID_MODULE,
                  "cannot parse module '" + path +
                      "' (expected the LLVM dialect from dq-opt "
                      "--dq-cpu-pipeline):" +
                      diagnostics);
    module->walk([&](mlir::LLVM::LLVMFuncOp func) {
      if (auto abi = func->getAttrOfType<mlir::StringAttr>("dq.abi");
          abi && !func.getName().starts_with("_mlir_ciface_"))
        functions.emplace_back(func.getName().str(), abi.getValue().str());
    });
    scanNeeds(*module, openMP, cuda);
    if (cuda && opts.device != DQRT_DEVICE_CUDA)
      return fail(DQRT_INVALID_ARGUMENT,
                  "module '" + path +
                      "' launches GPU kernels; load it with device "
                      "'cuda' (dq-run --device cuda)");
    // Global constructors: explicit ones, and those the translation of
    // gpu.binary adds to load the kernels.
    std::vector<std::string> constructors;
    bool hasConstructors = false;
    module->walk([&](mlir::Operation *op) {
      if (auto ctors = llvm::dyn_cast<mlir::LLVM::GlobalCtorsOp>(op))
        for (mlir::Attribute ctor : ctors.getCtors())
          constructors.push_back(
              llvm::cast<mlir::FlatSymbolRefAttr>(ctor).getValue().str());
      hasConstructors |=
          llvm::isa<mlir::LLVM::GlobalCtorsOp, mlir::gpu::BinaryOp>(op);
    });
    // Before compilation: the JIT resolves libomp's symbols in the process.
    if (openMP)
      if (llvm::Error err = fromStatus(host, host.loadOpenMP()))
        return err;
    {
      llvm::StringSet<> provided;
      for (size_t i = 0; i < host.numSymbols; ++i)
        provided.insert(host.symbolNames[i]);
      // Weak fallbacks of what the runtime provides (the allocator's, from
      // --dq-define-allocator-fallbacks) yield to the runtime's definition,
      // as the dynamic linker makes them yield for shared objects.
      module->walk([&](mlir::LLVM::LLVMFuncOp func) {
        if (!func.isExternal() &&
            func.getLinkage() == mlir::LLVM::Linkage::Weak &&
            provided.contains(func.getName())) {
          func.eraseBody();
          func.setLinkage(mlir::LLVM::Linkage::External);
        }
      });
      // What the process has (libc, libm, libomp loaded above) is found by
      // the JIT too.
      dqrt::stubMissingFunctions(*module, [&](llvm::StringRef name) {
        return provided.contains(name) ||
               dlsym(RTLD_DEFAULT, name.str().c_str()) != nullptr;
      });
    }

    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // The host CPU with all its features (AVX2, FMA, ...), for both the
    // IR optimizer and code generation.
    auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!builder)
      return fail(DQRT_INTERNAL, "cannot target the host CPU: " +
                                     llvm::toString(builder.takeError()));
    builder->setCodeGenOptLevel(static_cast<llvm::CodeGenOptLevel>(optLevel));
    auto optimizerMachine = builder->createTargetMachine();
    auto codegenMachine = builder->createTargetMachine();
    if (!optimizerMachine || !codegenMachine)
      return fail(DQRT_INTERNAL,
                  "cannot target the host CPU: " +
                      llvm::toString(optimizerMachine
                                         ? codegenMachine.takeError()
                                         : optimizerMachine.takeError()));
    targetMachine = std::move(*optimizerMachine);

    // ExecutionEngineOptions::transformer is a function_ref: the function
    // it refers to must outlive create().
    std::function<llvm::Error(llvm::Module *)> transformer =
        mlir::makeOptimizingTransformer(optLevel, /*sizeLevel=*/0,
                                        targetMachine.get());
    mlir::ExecutionEngineOptions options;
    options.transformer = transformer;
    options.jitCodeGenOptLevel = static_cast<llvm::CodeGenOptLevel>(optLevel);
    auto engineOrError = mlir::ExecutionEngine::create(
        *module, options, std::move(*codegenMachine));
    if (!engineOrError)
      return fail(DQRT_INVALID_MODULE,
                  "cannot JIT-compile '" + path + "': " +
                      llvm::toString(engineOrError.takeError()) + diagnostics);
    engine = std::move(*engineOrError);
    // Explicit addresses: libdqrt may have been loaded RTLD_LOCAL, out of
    // the JIT's view of the process.
    engine->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
      llvm::orc::SymbolMap symbols;
      for (size_t i = 0; i < host.numSymbols; ++i)
        symbols[interner(host.symbolNames[i])] = {
            llvm::orc::ExecutorAddr::fromPtr(host.symbolAddresses[i]),
            llvm::JITSymbolFlags::Exported};
      return symbols;
    });
    // Compile everything now, so that a symbol the code needs and nobody
    // provides is an error here rather than at the first call.
    std::vector<std::string> entries = constructors;
    for (const auto &function : functions)
      entries.push_back("_mlir_ciface_" + function.first);
    for (const std::string &entry : entries)
      if (auto address = engine->lookup(entry); !address)
        return fail(DQRT_INVALID_MODULE,
                    "cannot JIT-compile '" + path +
                        "': " + llvm::toString(address.takeError()));
    // The global constructors load GPU kernels (mgpuModuleLoad*); they
    // report failures through the CUDA error slot.
    // (initialize() cannot report a missing symbol, so it runs only after
    // the lookups above compiled the module.)
    if (hasConstructors && !entries.empty()) {
      host.clearPendingError();
      engine->initialize();
      if (llvm::Error err =
              fromStatus(host, host.takePendingError(),
                         "cannot load the GPU kernels of '" + path + "': "))
        return err;
    }
    return llvm::Error::success();
  }

  llvm::Expected<void *> lookup(llvm::StringRef symbol) {
    auto address = engine->lookup(symbol);
    if (!address)
      return fail(DQRT_NOT_FOUND, "symbol '" + symbol + "' not found: " +
                                      llvm::toString(address.takeError()));
    return *address;
  }

  /// Public functions with a signature: name and dq.abi JSON.
  std::vector<std::pair<std::string, std::string>> functions;
  bool openMP = false, cuda = false;

private:
  mlir::MLIRContext context{mlir::MLIRContext::Threading::DISABLED};
  std::unique_ptr<llvm::TargetMachine> targetMachine;
  std::unique_ptr<mlir::ExecutionEngine> engine;
};

} // namespace

struct dqrt_jit_module_s {
  JITModule module;
};

#define DQRT_JIT_EXPORT extern "C" __attribute__((visibility("default")))

DQRT_JIT_EXPORT int dqrt_jit_plugin_version() {
  return DQRT_JIT_PLUGIN_VERSION;
}

DQRT_JIT_EXPORT dqrt_status dqrt_jit_load(const dqrt_jit_host *host,
                                          const char *path,
                                          const dqrt_runtime_options *options,
                                          dqrt_jit_module *out) {
  auto module = std::make_unique<dqrt_jit_module_s>();
  if (llvm::Error err = module->module.load(*host, path, *options))
    return toStatus(*host, std::move(err));
  *out = module.release();
  return nullptr;
}

DQRT_JIT_EXPORT dqrt_status dqrt_jit_lookup(const dqrt_jit_host *host,
                                            dqrt_jit_module module,
                                            const char *symbol,
                                            void **address) {
  llvm::Expected<void *> found = module->module.lookup(symbol);
  if (!found)
    return toStatus(*host, found.takeError());
  *address = *found;
  return nullptr;
}

DQRT_JIT_EXPORT size_t dqrt_jit_num_functions(dqrt_jit_module module) {
  return module->module.functions.size();
}

DQRT_JIT_EXPORT const char *dqrt_jit_function_name(dqrt_jit_module module,
                                                   size_t index) {
  return module->module.functions[index].first.c_str();
}

DQRT_JIT_EXPORT const char *dqrt_jit_function_abi(dqrt_jit_module module,
                                                  size_t index) {
  return module->module.functions[index].second.c_str();
}

DQRT_JIT_EXPORT int dqrt_jit_uses_openmp(dqrt_jit_module module) {
  return module->module.openMP;
}

DQRT_JIT_EXPORT int dqrt_jit_uses_cuda(dqrt_jit_module module) {
  return module->module.cuda;
}

DQRT_JIT_EXPORT void dqrt_jit_destroy(dqrt_jit_module module) { delete module; }
