//===- dq-stats.cpp - inspect and merge calibration statistics ------------===//
//
//   dq-stats info FILE              one line per layer: name, K, T, trace
//   dq-stats merge A B [...] -o OUT  T-weighted merge of several runs
//
// Every layer is fully validated on the way (docs/stats-format.md).
//
//===----------------------------------------------------------------------===//

#include "dq/Calibration/Stats.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace llvm;

static cl::opt<std::string> command(cl::Positional, cl::Required,
                                    cl::desc("<info|merge>"));
static cl::list<std::string> inputs(cl::Positional, cl::OneOrMore,
                                    cl::desc("<stats.safetensors>..."));
static cl::opt<std::string> output("o", cl::desc("Output file (merge)"),
                                   cl::value_desc("file"));

static int fail(const Twine &message) {
  errs() << "dq-stats: error: " << message << "\n";
  return 1;
}

static int info(StringRef path) {
  Expected<dq::StatsReader> reader = dq::StatsReader::open(path);
  if (!reader)
    return fail(toString(reader.takeError()));
  outs() << "# " << path;
  for (const auto &[key, value] : reader->getMetadata())
    outs() << " " << key << "=" << value;
  outs() << "\n";
  for (const std::string &name : reader->getLayerNames()) {
    Expected<dq::LayerStats> layer = reader->read(name);
    if (!layer)
      return fail(toString(layer.takeError()));
    double trace = 0;
    for (int64_t i = 0; i < layer->K; ++i)
      trace += layer->Hessian[i * layer->K + i];
    outs() << name << " K=" << layer->K << " T=" << layer->Tokens
           << " trace=" << format("%.6g", trace) << "\n";
  }
  return 0;
}

static int merge() {
  if (output.empty())
    return fail("merge needs -o OUT");
  std::map<std::string, dq::LayerStats> merged;
  for (const std::string &path : inputs) {
    Expected<dq::StatsReader> reader = dq::StatsReader::open(path);
    if (!reader)
      return fail(toString(reader.takeError()));
    for (const std::string &name : reader->getLayerNames()) {
      Expected<dq::LayerStats> layer = reader->read(name);
      if (!layer)
        return fail(toString(layer.takeError()));
      auto [it, inserted] = merged.try_emplace(name, *layer);
      if (!inserted)
        if (Error err = dq::mergeLayerStats(it->second, *layer))
          return fail(path + ": " + toString(std::move(err)));
    }
  }
  std::vector<dq::LayerStats> layers;
  for (auto &[name, layer] : merged)
    layers.push_back(std::move(layer));
  if (Error err = dq::writeStatsFile(output, layers, "dq-stats merge"))
    return fail(toString(std::move(err)));
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "dq-stats: inspect and merge calibration "
                              "statistics files\n");
  if (command == "info") {
    int rc = 0;
    for (const std::string &path : inputs)
      rc |= info(path);
    return rc;
  }
  if (command == "merge")
    return merge();
  return fail("unknown command '" + command + "' (expected info or merge)");
}
