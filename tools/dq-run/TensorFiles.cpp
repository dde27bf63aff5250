//===- TensorFiles.cpp - dq-run's inputs and outputs ----------------------===//

#include "TensorFiles.h"

#include "dq/Support/Npy.h"
#include "dq/Support/Safetensors.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

using namespace dqrun;

namespace {
constexpr llvm::StringLiteral kSafetensorsSuffix = ".safetensors";

struct DTypePair {
  dq::DType file;
  dqrt_dtype runtime;
};
constexpr DTypePair kDTypePairs[] = {
    {dq::DType::F32, DQRT_F32},   {dq::DType::F16, DQRT_F16},
    {dq::DType::BF16, DQRT_BF16}, {dq::DType::F64, DQRT_F64},
    {dq::DType::Bool, DQRT_I1},   {dq::DType::I8, DQRT_I8},
    {dq::DType::I32, DQRT_I32},   {dq::DType::I64, DQRT_I64},
};
} // namespace

bool TensorFileSpec::isSafetensors() const {
  return llvm::StringRef(path).ends_with(kSafetensorsSuffix);
}

std::string TensorFileSpec::str() const {
  return name.empty() ? path : path + ":" + name;
}

TensorFileSpec dqrun::parseTensorFileSpec(llvm::StringRef text) {
  // Only a `.safetensors:` splits, so .npy paths may contain ':'.
  size_t at = text.rfind(std::string(kSafetensorsSuffix) + ":");
  if (at == llvm::StringRef::npos)
    return {text.str(), ""};
  size_t colon = at + kSafetensorsSuffix.size();
  return {text.take_front(colon).str(), text.drop_front(colon + 1).str()};
}

llvm::Expected<dq::Tensor> dqrun::readTensorFile(const TensorFileSpec &spec) {
  if (!spec.isSafetensors())
    return dq::readNpyFile(spec.path);
  if (spec.name.empty())
    return llvm::createStringError(
        "'" + spec.path +
        "': name the tensor to read, as in 'file.safetensors:name'");
  llvm::Expected<dq::SafetensorsReader> reader =
      dq::SafetensorsReader::open(spec.path);
  if (!reader)
    return reader.takeError();
  return reader->read(spec.name);
}

std::optional<dqrt_dtype> dqrun::toRuntimeDType(dq::DType type) {
  for (const DTypePair &pair : kDTypePairs)
    if (pair.file == type)
      return pair.runtime;
  return std::nullopt;
}

std::optional<dq::DType> dqrun::toFileDType(dqrt_dtype type) {
  for (const DTypePair &pair : kDTypePairs)
    if (pair.runtime == type)
      return pair.file;
  return std::nullopt;
}

std::string dqrun::formatTensorType(dqrt_dtype type,
                                    llvm::ArrayRef<int64_t> shape) {
  std::string text = "tensor<";
  for (int64_t dim : shape)
    text += (dim < 0 ? std::string("?") : std::to_string(dim)) + "x";
  const char *name = dqrt_dtype_name(type);
  return text + (name ? name : "?") + ">";
}

llvm::Error dqrun::checkOutputSpecs(llvm::ArrayRef<TensorFileSpec> specs,
                                    llvm::ArrayRef<dqrt_dtype> types) {
  llvm::StringSet<> npyPaths;
  llvm::StringMap<llvm::StringSet<>> safetensorsNames;
  for (auto [spec, type] : llvm::zip_equal(specs, types)) {
    if (spec.isSafetensors()) {
      if (spec.name.empty())
        return llvm::createStringError(
            "output '" + spec.path +
            "': name the tensor, as in 'out.safetensors:name'");
      if (!safetensorsNames[spec.path].insert(spec.name).second)
        return llvm::createStringError("output '" + spec.str() +
                                       "' is given twice");
      continue;
    }
    if (!npyPaths.insert(spec.path).second)
      return llvm::createStringError("output '" + spec.path +
                                     "' is given twice");
    if (type == DQRT_BF16)
      return llvm::createStringError(
          "output '" + spec.path +
          "': a bf16 result cannot be stored as .npy (numpy has no bf16); "
          "write it to 'out.safetensors:name'");
  }
  return llvm::Error::success();
}

llvm::Error dqrun::writeOutputs(llvm::ArrayRef<TensorFileSpec> specs,
                                llvm::ArrayRef<dq::Tensor> results) {
  // Safetensors outputs sharing a file are written together, in order.
  std::vector<std::string> safetensorsOrder;
  llvm::StringMap<std::vector<dq::NamedTensor>> safetensorsFiles;
  for (auto [spec, result] : llvm::zip_equal(specs, results)) {
    if (spec.isSafetensors()) {
      auto [it, inserted] = safetensorsFiles.try_emplace(spec.path);
      if (inserted)
        safetensorsOrder.push_back(spec.path);
      it->second.push_back({spec.name, result});
      continue;
    }
    if (llvm::Error err = dq::writeNpyFile(spec.path, result))
      return err;
  }
  for (const std::string &path : safetensorsOrder)
    if (llvm::Error err = dq::writeSafetensorsFile(path, safetensorsFiles[path],
                                                   {{"producer", "dq-run"}}))
      return err;
  return llvm::Error::success();
}
