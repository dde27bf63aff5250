//===- Profile.cpp - counters of modules compiled with profile regions ----===//
//
// --dq-profile-regions leaves two public globals in a module: the counters
// (calls, nanoseconds per region) and a JSON table naming the regions. The
// module reads the clock through _dq_profile_clock, defined here.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include "llvm/Support/JSON.h"

#include <chrono>

using namespace dqrt;

extern "C" DQRT_API int64_t _dq_profile_clock() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

llvm::Expected<ProfileTable *> getProfile(dqrt_module module) {
  if (module->profile)
    return module->profile.get();
  llvm::Expected<void *> table =
      module->executable->lookup("_dq_profile_regions");
  llvm::Expected<void *> counters =
      module->executable->lookup("_dq_profile_counters");
  if (!table || !counters) {
    llvm::consumeError(table.takeError());
    llvm::consumeError(counters.takeError());
    return makeError(DQRT_NOT_FOUND,
                     "the module was compiled without profile regions "
                     "(dq-opt --dq-cpu-pipeline=profile=true)");
  }
  auto malformed = [](const llvm::Twine &why) {
    return makeError(DQRT_INVALID_MODULE,
                     "malformed _dq_profile_regions: " + why);
  };
  llvm::Expected<llvm::json::Value> parsed =
      llvm::json::parse(static_cast<const char *>(*table));
  if (!parsed)
    return malformed(llvm::toString(parsed.takeError()));
  const llvm::json::Object *object = parsed->getAsObject();
  const llvm::json::Array *rows =
      object ? object->getArray("regions") : nullptr;
  if (!rows || object->getInteger("version") != 1)
    return malformed("expected {\"version\": 1, \"regions\": [...]}");
  auto profile = std::make_unique<ProfileTable>();
  for (const llvm::json::Value &row : *rows) {
    const llvm::json::Array *fields = row.getAsArray();
    if (!fields || fields->size() != 3)
      return malformed("a region is not [function, class, op]");
    ProfileTable::Row entry;
    std::string *targets[] = {&entry.function, &entry.opClass, &entry.op};
    for (auto [field, target] : llvm::zip(*fields, targets)) {
      std::optional<llvm::StringRef> text = field.getAsString();
      if (!text)
        return malformed("a region field is not a string");
      *target = text->str();
    }
    profile->rows.push_back(std::move(entry));
  }
  profile->counters = static_cast<int64_t (*)[2]>(*counters);
  module->profile = std::move(profile);
  return module->profile.get();
}

} // namespace

extern "C" {

dqrt_status dqrt_module_profile_size(dqrt_module module, size_t *count) {
  if (!module || !count)
    return toStatus(
        makeError(DQRT_INVALID_ARGUMENT, "module and count must not be NULL"));
  llvm::Expected<ProfileTable *> profile = getProfile(module);
  if (!profile)
    return toStatus(profile.takeError());
  *count = (*profile)->rows.size();
  return nullptr;
}

dqrt_status dqrt_module_profile_region(dqrt_module module, size_t index,
                                       dqrt_profile_region *out) {
  if (!module || !out)
    return toStatus(
        makeError(DQRT_INVALID_ARGUMENT, "module and out must not be NULL"));
  llvm::Expected<ProfileTable *> profile = getProfile(module);
  if (!profile)
    return toStatus(profile.takeError());
  const std::vector<ProfileTable::Row> &rows = (*profile)->rows;
  if (index >= rows.size())
    return toStatus(
        makeError(DQRT_INVALID_ARGUMENT, "region index " + llvm::Twine(index) +
                                             " out of range (" +
                                             llvm::Twine(rows.size()) + ")"));
  const ProfileTable::Row &row = rows[index];
  out->function = row.function.c_str();
  out->op_class = row.opClass.c_str();
  out->op = row.op.c_str();
  out->calls = static_cast<uint64_t>((*profile)->counters[index][0]);
  out->nanoseconds = static_cast<uint64_t>((*profile)->counters[index][1]);
  return nullptr;
}

dqrt_status dqrt_module_reset_profile(dqrt_module module) {
  if (!module)
    return toStatus(
        makeError(DQRT_INVALID_ARGUMENT, "module must not be NULL"));
  llvm::Expected<ProfileTable *> profile = getProfile(module);
  if (!profile)
    return toStatus(profile.takeError());
  for (size_t i = 0; i < (*profile)->rows.size(); ++i)
    (*profile)->counters[i][0] = (*profile)->counters[i][1] = 0;
  return nullptr;
}

} // extern "C"
