//===- Status.cpp - statuses, element types and signatures ----------------===//

#include "Internal.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace dqrt;

char RuntimeError::ID = 0;

dqrt_status dqrt::toStatus(llvm::Error error) {
  if (!error)
    return nullptr;
  auto *status = new dqrt_status_s{DQRT_INTERNAL, ""};
  llvm::handleAllErrors(
      std::move(error),
      [&](const RuntimeError &e) {
        status->code = e.code;
        status->message = e.message;
      },
      [&](const llvm::ErrorInfoBase &e) { status->message = e.message(); });
  return status;
}

llvm::Error dqrt::prefixError(llvm::Error error, const llvm::Twine &prefix) {
  if (!error)
    return error;
  dqrt_status_code code = DQRT_INTERNAL;
  std::string message;
  llvm::handleAllErrors(
      std::move(error),
      [&](const RuntimeError &e) {
        code = e.code;
        message = e.message;
      },
      [&](const llvm::ErrorInfoBase &e) { message = e.message(); });
  return makeError(code, prefix + message);
}

namespace {
struct DTypeInfo {
  const char *name;
  size_t size;
};
constexpr DTypeInfo dtypeInfo[] = {{"f32", 4}, {"f16", 2}, {"bf16", 2},
                                   {"f64", 8}, {"i1", 1},  {"i8", 1},
                                   {"i32", 4}, {"i64", 8}};
constexpr int numDTypes = sizeof(dtypeInfo) / sizeof(dtypeInfo[0]);
} // namespace

bool dqrt::parseDType(llvm::StringRef name, dqrt_dtype &dtype) {
  for (int i = 0; i < numDTypes; ++i)
    if (name == dtypeInfo[i].name) {
      dtype = static_cast<dqrt_dtype>(i);
      return true;
    }
  return false;
}

std::string TensorType::str() const {
  std::string text = "tensor<";
  for (int64_t dim : dims)
    text += (dim < 0 ? std::string("?") : std::to_string(dim)) + "x";
  return text + dqrt_dtype_name(dtype) + ">";
}

static llvm::Expected<TensorType> parseTensorType(const llvm::json::Value &v,
                                                  llvm::StringRef where) {
  const llvm::json::Object *object = v.getAsObject();
  std::optional<llvm::StringRef> dtypeName =
      object ? object->getString("dtype") : std::nullopt;
  const llvm::json::Array *shape = object ? object->getArray("shape") : nullptr;
  TensorType type;
  if (!dtypeName || !shape || !parseDType(*dtypeName, type.dtype))
    return makeError(DQRT_INVALID_MODULE,
                     "malformed signature entry for " + where);
  for (const llvm::json::Value &dim : *shape) {
    std::optional<int64_t> d = dim.getAsInteger();
    if (!d || *d < -1)
      return makeError(DQRT_INVALID_MODULE,
                       "malformed dimension in the signature of " + where);
    type.dims.push_back(*d);
  }
  return type;
}

llvm::Expected<Signature> dqrt::parseSignature(llvm::StringRef json,
                                               llvm::StringRef function) {
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(json);
  if (!parsed)
    return makeError(DQRT_INVALID_MODULE,
                     "malformed signature of '" + function +
                         "': " + llvm::toString(parsed.takeError()));
  const llvm::json::Object *object = parsed->getAsObject();
  Signature sig;
  for (auto [key, out] : {std::pair<llvm::StringRef, std::vector<TensorType> *>{
                              "args", &sig.args},
                          {"results", &sig.results}}) {
    const llvm::json::Array *entries = object ? object->getArray(key) : nullptr;
    if (!entries)
      return makeError(DQRT_INVALID_MODULE, "malformed signature of '" +
                                                function + "': no '" + key +
                                                "'");
    for (const llvm::json::Value &entry : *entries) {
      llvm::Expected<TensorType> type =
          parseTensorType(entry, "'" + function.str() + "'");
      if (!type)
        return type.takeError();
      out->push_back(std::move(*type));
    }
  }
  return sig;
}

extern "C" {

dqrt_status_code dqrt_status_get_code(dqrt_status status) {
  return status ? status->code : DQRT_OK;
}

const char *dqrt_status_get_message(dqrt_status status) {
  return status ? status->message.c_str() : "";
}

void dqrt_status_free(dqrt_status status) { delete status; }

const char *dqrt_dtype_name(dqrt_dtype dtype) {
  int i = dqrt::getRawEnumValue(dtype);
  return i >= 0 && i < numDTypes ? dtypeInfo[i].name : nullptr;
}

size_t dqrt_dtype_size(dqrt_dtype dtype) {
  int i = dqrt::getRawEnumValue(dtype);
  return i >= 0 && i < numDTypes ? dtypeInfo[i].size : 0;
}

} // extern "C"
