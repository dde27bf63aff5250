//===- TensorFiles.h - dq-run's inputs and outputs --------------*- C++ -*-===//
//
// Inputs are `.npy` files or `file.safetensors:name`; outputs likewise, where
// outputs naming the same safetensors file are written into it together.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_TOOLS_DQRUN_TENSORFILES_H
#define DQ_TOOLS_DQRUN_TENSORFILES_H

#include "dq/Support/Tensor.h"
#include "dqrt/dqrt.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace dqrun {

/// `path` or `path.safetensors:name`.
struct TensorFileSpec {
  std::string path;
  /// The tensor's name in a safetensors file; empty for .npy.
  std::string name;
  bool isSafetensors() const;
  /// "a.npy" or "w.safetensors:fc1", for messages.
  std::string str() const;
};

/// Splits `text`: a `:` after a `.safetensors` path starts a tensor name.
TensorFileSpec parseTensorFileSpec(llvm::StringRef text);

/// Reads one input tensor.
llvm::Expected<dq::Tensor> readTensorFile(const TensorFileSpec &spec);

/// The runtime's element type for a file's, if it takes that type.
std::optional<dqrt_dtype> toRuntimeDType(dq::DType type);
std::optional<dq::DType> toFileDType(dqrt_dtype type);

/// "tensor<2x3xf32>" in the runtime's spelling.
std::string formatTensorType(dqrt_dtype type, llvm::ArrayRef<int64_t> shape);

/// Checks that `results.size()` tensors can be written to `specs`: .npy
/// cannot hold bf16, and a safetensors output needs a tensor name unique in
/// its file.
llvm::Error checkOutputSpecs(llvm::ArrayRef<TensorFileSpec> specs,
                             llvm::ArrayRef<dqrt_dtype> types);

/// Writes each result to its spec, atomically per file.
llvm::Error writeOutputs(llvm::ArrayRef<TensorFileSpec> specs,
                         llvm::ArrayRef<dq::Tensor> results);

} // namespace dqrun

#endif // DQ_TOOLS_DQRUN_TENSORFILES_H
