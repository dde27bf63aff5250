//===- Profile.cpp - dq-run --profile -------------------------------------===//
//
// Reads the counters that --dq-profile-regions compiled into a module
// (through the dqrt C API) and prints where a call's time went.
//
//===----------------------------------------------------------------------===//

#include "Profile.h"

#include "dq/Support/AtomicFile.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>

using namespace dqrun;

namespace {

llvm::Error statusError(dqrt_status status) {
  std::string message = dqrt_status_get_message(status);
  dqrt_status_free(status);
  return llvm::createStringError(message);
}

struct RegionTime {
  size_t index;
  std::string opClass, op;
  uint64_t calls, nanoseconds;
};

struct ClassTime {
  uint64_t nanoseconds = 0;
  size_t regions = 0;
};

} // namespace

llvm::Error dqrun::runProfile(dqrt_module module, const ProfileOptions &options,
                              llvm::function_ref<llvm::Error()> callOnce) {
  size_t count = 0;
  // Before any call: a module without regions fails at once.
  if (dqrt_status status = dqrt_module_profile_size(module, &count))
    return statusError(status);
  if (options.runs == 0)
    return llvm::createStringError("--profile needs at least one run");
  for (unsigned i = 0; i < options.warmup; ++i)
    if (llvm::Error err = callOnce())
      return err;
  if (dqrt_status status = dqrt_module_reset_profile(module))
    return statusError(status);
  uint64_t total = 0;
  for (unsigned i = 0; i < options.runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (llvm::Error err = callOnce())
      return err;
    total += std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::steady_clock::now() - start)
                 .count();
  }

  std::vector<RegionTime> regions;
  llvm::StringMap<ClassTime> classes;
  uint64_t covered = 0;
  for (size_t i = 0; i < count; ++i) {
    dqrt_profile_region region;
    if (dqrt_status status = dqrt_module_profile_region(module, i, &region))
      return statusError(status);
    if (options.function != region.function)
      continue;
    regions.push_back(
        {i, region.op_class, region.op, region.calls, region.nanoseconds});
    ClassTime &cls = classes[region.op_class];
    cls.nanoseconds += region.nanoseconds;
    ++cls.regions;
    covered += region.nanoseconds;
  }
  if (regions.empty())
    return llvm::createStringError("the module has no profile region in '" +
                                   options.function + "'");
  uint64_t rest = total > covered ? total - covered : 0;
  double runs = options.runs;
  auto perCall = [&](uint64_t ns) { return ns / runs / 1000.0; };
  auto share = [&](uint64_t ns) { return total ? 100.0 * ns / total : 0.0; };

  std::vector<std::pair<std::string, ClassTime>> byClass;
  for (const auto &entry : classes)
    byClass.emplace_back(entry.getKey().str(), entry.getValue());
  // Most time first; ties (zero in a host without the runtime's clock) by
  // name, so that the order does not depend on the map's.
  llvm::stable_sort(byClass, [](const auto &a, const auto &b) {
    if (a.second.nanoseconds != b.second.nanoseconds)
      return a.second.nanoseconds > b.second.nanoseconds;
    return a.first < b.first;
  });
  llvm::stable_sort(regions, [](const RegionTime &a, const RegionTime &b) {
    return a.nanoseconds > b.nanoseconds;
  });

  llvm::raw_ostream &os = llvm::outs();
  os << llvm::format("profile of '%s': %u run(s) after %u warm-up, %.1f us "
                     "per call\n",
                     options.function.c_str(), options.runs, options.warmup,
                     perCall(total));
  os << llvm::format("%-16s %12s %7s %8s\n", "class", "us/call", "share",
                     "regions");
  for (const auto &[name, cls] : byClass)
    os << llvm::format("%-16s %12.1f %6.1f%% %8zu\n", name.c_str(),
                       perCall(cls.nanoseconds), share(cls.nanoseconds),
                       cls.regions);
  os << llvm::format("%-16s %12.1f %6.1f%%\n", "(outside regions)",
                     perCall(rest), share(rest));
  size_t shown = std::min<size_t>(options.top, regions.size());
  os << "top " << shown << " of " << regions.size() << " regions:\n";
  os << llvm::format("%6s %12s %7s %9s  %-14s %s\n", "region", "us/call",
                     "share", "calls", "class", "op");
  for (const RegionTime &r : llvm::ArrayRef(regions).take_front(shown))
    os << llvm::format("%6zu %12.2f %6.1f%% %9.1f  %-14s %s\n", r.index,
                       perCall(r.nanoseconds), share(r.nanoseconds),
                       r.calls / runs, r.opClass.c_str(), r.op.c_str());

  if (options.jsonPath.empty())
    return llvm::Error::success();
  llvm::json::Array classRows, regionRows;
  for (const auto &[name, cls] : byClass)
    classRows.push_back(
        llvm::json::Object{{"class", name},
                           {"us_per_call", perCall(cls.nanoseconds)},
                           {"share", share(cls.nanoseconds) / 100},
                           {"regions", int64_t(cls.regions)}});
  for (const RegionTime &r : regions)
    regionRows.push_back(
        llvm::json::Object{{"region", int64_t(r.index)},
                           {"class", r.opClass},
                           {"op", r.op},
                           {"calls_per_run", r.calls / runs},
                           {"us_per_call", perCall(r.nanoseconds)},
                           {"share", share(r.nanoseconds) / 100}});
  llvm::json::Object document{{"function", options.function},
                              {"runs", int64_t(options.runs)},
                              {"warmup", int64_t(options.warmup)},
                              {"us_per_call", perCall(total)},
                              {"outside_regions_us_per_call", perCall(rest)},
                              {"classes", std::move(classRows)},
                              {"regions", std::move(regionRows)}};
  return dq::writeFileAtomically(
      options.jsonPath, [&](llvm::raw_ostream &out) -> llvm::Error {
        out << llvm::formatv("{0:2}", llvm::json::Value(std::move(document)))
            << "\n";
        return llvm::Error::success();
      });
}
