//===- Internal.h - dq runtime internals ------------------------*- C++ -*-===//

#ifndef DQRT_LIB_INTERNAL_H
#define DQRT_LIB_INTERNAL_H

#include "dqrt/dqrt.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct dqrt_status_s {
  dqrt_status_code code;
  std::string message;
};

namespace dqrt {

/// An llvm::Error payload that carries a runtime status code.
class RuntimeError : public llvm::ErrorInfo<RuntimeError> {
public:
  static char ID;
  RuntimeError(dqrt_status_code code, std::string message)
      : code(code), message(std::move(message)) {}
  void log(llvm::raw_ostream &os) const override { os << message; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
  dqrt_status_code code;
  std::string message;
};

/// The int a C caller stored in an enum argument or field. C allows any int
/// there, and the API answers out-of-range values with an error, but C++
/// reading a value outside the enumerators' range through the enum type is
/// undefined (UBSan: "not a valid value for type"), so the bytes are copied.
template <typename Enum> int getRawEnumValue(const Enum &value) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized here");
  int raw;
  std::memcpy(&raw, &value, sizeof(raw));
  return raw;
}

/// The dtype a C caller passed, or std::nullopt when it is not one.
inline std::optional<dqrt_dtype> getCheckedDType(const dqrt_dtype &value) {
  int raw = getRawEnumValue(value);
  if (raw < DQRT_F32 || raw > DQRT_I64)
    return std::nullopt;
  return static_cast<dqrt_dtype>(raw);
}

inline llvm::Error makeError(dqrt_status_code code, const llvm::Twine &msg) {
  return llvm::make_error<RuntimeError>(code, msg.str());
}

/// `error` with `prefix` before its message, same code.
llvm::Error prefixError(llvm::Error error, const llvm::Twine &prefix);

/// Converts an error (any kind) into a C status; success gives NULL.
dqrt_status toStatus(llvm::Error error);

/// Element type names as used in signatures ("f32", ...).
bool parseDType(llvm::StringRef name, dqrt_dtype &dtype);

/// A tensor type of the signature: dtype and dims (-1 = dynamic).
struct TensorType {
  dqrt_dtype dtype;
  std::vector<int64_t> dims;
  /// "tensor<8x?xf32>", for messages.
  std::string str() const;
};

struct Signature {
  std::vector<TensorType> args;
  std::vector<TensorType> results;
  /// For each result, the argument tied to it ("tied_result" in dq.abi):
  /// the result is returned in that argument's memory.
  std::vector<std::optional<size_t>> tiedArg;
  /// For each result, whether the compiled code returns it in its tied
  /// argument's buffer instead of as a result ("in_place", written by
  /// dq-elide-tied-results): such a result has no descriptor.
  std::vector<bool> inPlace;
  /// For each argument, the inclusive range of its elements ("bounds" in
  /// dq.abi, from `dq.bounds`), checked before every call.
  std::vector<std::optional<std::pair<int64_t, int64_t>>> argBounds;
};

/// Parses the JSON written by the dq-export-abi pass.
llvm::Expected<Signature> parseSignature(llvm::StringRef json,
                                         llvm::StringRef function);

/// Compiled code, JIT or shared object: finds symbols and signatures.
class Executable {
public:
  virtual ~Executable() = default;
  /// Address of `symbol`, or an error.
  virtual llvm::Expected<void *> lookup(llvm::StringRef symbol) = 0;
  /// Signatures (dq.abi JSON) of the module's public functions, by name.
  const std::map<std::string, std::string> &abis() const { return abiIndex; }
  /// Whether the code runs OpenMP parallel regions (libomp).
  bool usesOpenMP() const { return openMP; }
  /// Whether the code launches GPU kernels (needs device 'cuda').
  bool usesCUDA() const { return cuda; }

protected:
  std::map<std::string, std::string> abiIndex;
  bool openMP = false;
  bool cuda = false;
};

llvm::Expected<std::unique_ptr<Executable>>
loadJIT(llvm::StringRef path, const dqrt_runtime_options &options);
llvm::Expected<std::unique_ptr<Executable>>
loadSharedObject(llvm::StringRef path, const dqrt_runtime_options &options);

/// Loads libomp with RTLD_GLOBAL so that JIT'd code resolves __kmpc_* and
/// omp_* from it. Idempotent.
llvm::Error loadOpenMPGlobally();
/// Adopts the libomp that the shared object `handle` depends on; false when
/// it depends on none.
bool adoptOpenMPFrom(void *handle);
/// omp_set_num_threads for the calling thread: `numThreads`, or libomp's
/// default (all cores, or OMP_NUM_THREADS) for 0. No-op before libomp is
/// loaded.
void setOpenMPThreads(int32_t numThreads);

/// Symbols the runtime provides to compiled code (memrefCopy, the mgpu*
/// functions), for the JIT's symbol table.
std::vector<std::pair<const char *, void *>> getRuntimeSymbols();

/// What the buffer pool holds at most unless DQRT_POOL_LIMIT_MB says.
constexpr size_t kDefaultPoolLimitBytes = size_t(1) << 30;
/// Returns a block from malloc, aligned_alloc or the pool to the pool.
void poolFree(void *block);
void releasePool();

/// Address of _mlir_ciface_dqrt_observe_f32.
void *getObserveSymbol();

/// Checks that a CUDA driver and device are present.
llvm::Error checkCUDAAvailable();
/// Errors raised inside compiled code (mgpu* functions, missing-function
/// stubs, calibration observations): the first one per thread is kept
/// until taken or cleared.
void recordPendingError(dqrt_status_code code, const std::string &message);
bool hasPendingError();
/// The pending error of this thread (success when none), forgotten.
llvm::Error takePendingError();
void clearPendingError();
/// The mgpu* functions, for the JIT's symbol table.
std::vector<std::pair<const char *, void *>> getCUDASymbols();

/// Calls `_mlir_ciface_<name>` at `entry` with the signature's calling
/// convention and returns owned result buffers.
/// Calls `entry` with `args`; results go to `results`. `tiedCopies` counts
/// the tied results that had to be copied into their argument.
llvm::Error invoke(void *entry, llvm::StringRef name, const Signature &sig,
                   llvm::ArrayRef<dqrt_buffer_view> args,
                   llvm::MutableArrayRef<dqrt_buffer> results,
                   size_t &tiedCopies);

} // namespace dqrt

struct dqrt_runtime_s {
  dqrt_runtime_options options;
};

struct dqrt_function_s {
  dqrt_module module = nullptr;
  std::string name;
  dqrt::Signature signature;
  void *entry = nullptr;
  /// Tied results that the compiled code did not write in place, so that
  /// the runtime copied them into their argument.
  size_t tiedCopies = 0;
};

namespace dqrt {
/// The regions of a module compiled with --dq-profile-regions.
struct ProfileTable {
  struct Row {
    std::string function, opClass, op;
  };
  std::vector<Row> rows;
  int64_t (*counters)[2] = nullptr; // calls, nanoseconds per row
};
} // namespace dqrt

struct dqrt_module_s {
  dqrt_runtime runtime;
  std::unique_ptr<dqrt::Executable> executable;
  std::map<std::string, std::unique_ptr<dqrt_function_s>> functions;
  /// Read from the module on first use.
  std::unique_ptr<dqrt::ProfileTable> profile;
};

struct dqrt_buffer_s {
  dqrt_dtype dtype;
  std::vector<int64_t> shape;
  void *data = nullptr;       // start of the elements
  void *allocation = nullptr; // what to free()
  size_t numElements = 0;
};

#endif // DQRT_LIB_INTERNAL_H
