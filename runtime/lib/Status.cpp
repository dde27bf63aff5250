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
  // Ties, checked as dq-export-abi does: a result of the argument's type,
  // at most one argument per result.
  sig.tiedArg.resize(sig.results.size());
  const llvm::json::Array &args = *object->getArray("args");
  for (auto [i, entry] : llvm::enumerate(args)) {
    const llvm::json::Value *tied = entry.getAsObject()->get("tied_result");
    if (!tied)
      continue;
    std::optional<int64_t> j = tied->getAsInteger();
    if (!j || *j < 0 || size_t(*j) >= sig.results.size() || sig.tiedArg[*j] ||
        sig.results[*j].dtype != sig.args[i].dtype ||
        sig.results[*j].dims != sig.args[i].dims)
      return makeError(DQRT_INVALID_MODULE,
                       "malformed signature of '" + function + "': argument #" +
                           llvm::Twine(i) + " has an invalid tied_result");
    sig.tiedArg[*j] = i;
  }
  sig.argBounds.resize(sig.args.size());
  for (auto [i, entry] : llvm::enumerate(args)) {
    const llvm::json::Value *bounds = entry.getAsObject()->get("bounds");
    if (!bounds)
      continue;
    const llvm::json::Array *range = bounds->getAsArray();
    std::optional<int64_t> lo, hi;
    if (range && range->size() == 2) {
      lo = (*range)[0].getAsInteger();
      hi = (*range)[1].getAsInteger();
    }
    dqrt_dtype dtype = sig.args[i].dtype;
    if (!lo || !hi || *lo > *hi ||
        (dtype != DQRT_I8 && dtype != DQRT_I32 && dtype != DQRT_I64))
      return makeError(DQRT_INVALID_MODULE,
                       "malformed signature of '" + function + "': argument #" +
                           llvm::Twine(i) + " has invalid bounds");
    sig.argBounds[i] = {*lo, *hi};
  }
  sig.inPlace.resize(sig.results.size());
  const llvm::json::Array &results = *object->getArray("results");
  for (auto [j, entry] : llvm::enumerate(results)) {
    std::optional<bool> inPlace = entry.getAsObject()->getBoolean("in_place");
    if (!inPlace || !*inPlace)
      continue;
    if (!sig.tiedArg[j])
      return makeError(DQRT_INVALID_MODULE, "malformed signature of '" +
                                                function + "': result #" +
                                                llvm::Twine(j) +
                                                " is in_place but tied to no "
                                                "argument");
    sig.inPlace[j] = true;
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
