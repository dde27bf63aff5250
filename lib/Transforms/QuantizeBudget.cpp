//===- QuantizeBudget.cpp - --dq-quantize's budget= -----------------------===//

#include "QuantizeBudget.h"

#include "dq/Quant/Budget.h"
#include "dq/Support/AtomicFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <map>

using namespace llvm;
using ::dq::BudgetLayer;
using ::dq::BudgetOption;
using ::dq::Matrix;
using ::dq::QuantizedLayer;

namespace mlir::dq {
namespace {

std::string describeGroup(int64_t GroupSize, int64_t Cols) {
  return GroupSize == Cols ? std::string("per-channel")
                           : "g" + std::to_string(GroupSize);
}

/// The candidate configurations of a layer with Cols inputs: group sizes
/// that do not divide Cols are left out, and one at least Cols is
/// per-channel (counted once).
std::vector<BudgetOption> candidates(const BudgetRequest &R,
                                     const BudgetItem &Item) {
  std::vector<BudgetOption> Out;
  for (unsigned Bits : R.Bits)
    for (int64_t G : R.GroupSizes) {
      int64_t Effective = G == -1 || G >= Item.Cols ? Item.Cols : G;
      if (Item.Cols % Effective != 0)
        continue;
      if (llvm::any_of(Out, [&](const BudgetOption &O) {
            return O.Bits == Bits && O.GroupSize == Effective;
          }))
        continue;
      Out.push_back({Bits, Effective,
                     ::dq::getStorageBits(Item.Rows, Item.Cols, Bits, Effective,
                                          Item.Options.Scale),
                     0.0});
    }
  return Out;
}

double costOf(const QuantizedLayer &L, BudgetCost Cost) {
  return Cost == BudgetCost::Output ? L.TotalError : L.NormalizedError;
}

/// Quantizes the layer in every candidate configuration and keeps the cost.
Error measure(BudgetItem &Item, std::vector<BudgetOption> &Options,
              const BudgetRequest &R, const Matrix &W, const Matrix &H) {
  for (BudgetOption &O : Options) {
    ::dq::QuantOptions Opts = Item.Options;
    Opts.Bits = O.Bits;
    Opts.GroupSize = O.GroupSize;
    Expected<QuantizedLayer> L = ::dq::quantizeLayer(W, H, Opts);
    if (!L)
      return createStringError(formatv("budget: layer '{0}' in W{1} {2}: {3}",
                                       Item.Name, O.Bits,
                                       describeGroup(O.GroupSize, Item.Cols),
                                       toString(L.takeError()))
                                   .str());
    O.Cost = costOf(*L, R.Cost);
  }
  return Error::success();
}

std::string uniformName(const BudgetRequest &R) {
  return R.UniformGroupSize == -1 ? std::string("per-channel")
                                  : "g" + std::to_string(R.UniformGroupSize);
}

const char *costName(BudgetCost Cost) {
  return Cost == BudgetCost::Output ? "output" : "relative";
}

/// An earlier report's candidates, by layer: (rows, cols) and the cost of
/// each (bits, group size).
struct KnownCosts {
  int64_t Rows = 0, Cols = 0;
  std::map<std::pair<unsigned, int64_t>, double> Costs;
};

/// The JSON value of the file that option Option names.
Expected<json::Value> readJSON(StringRef Option, StringRef Path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buffer =
      MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer)
    return createStringError(Option + " '" + Path +
                             "': cannot read: " + Buffer.getError().message());
  Expected<json::Value> Parsed = json::parse((*Buffer)->getBuffer());
  if (!Parsed)
    return createStringError(Option + " '" + Path +
                             "': not JSON: " + toString(Parsed.takeError()));
  return Parsed;
}

Expected<StringMap<KnownCosts>> readCosts(StringRef Path, BudgetCost Cost) {
  auto Fail = [&](const Twine &Why) {
    return createStringError("budget-costs '" + Path + "': " + Why);
  };
  Expected<json::Value> Parsed = readJSON("budget-costs", Path);
  if (!Parsed)
    return Parsed.takeError();
  const json::Object *Root = Parsed->getAsObject();
  const json::Array *Layers = Root ? Root->getArray("layers") : nullptr;
  std::optional<StringRef> Measure =
      Root ? Root->getString("cost_measure") : std::nullopt;
  if (!Layers || !Measure)
    return Fail("not a budget-report (no \"layers\" or \"cost_measure\")");
  if (*Measure != costName(Cost))
    return Fail("its errors are '" + *Measure + "', this run's are '" +
                costName(Cost) + "'");
  StringMap<KnownCosts> Out;
  for (const json::Value &Entry : *Layers) {
    const json::Object *L = Entry.getAsObject();
    std::optional<StringRef> Name = L ? L->getString("layer") : std::nullopt;
    std::optional<int64_t> Rows = L ? L->getInteger("rows") : std::nullopt;
    std::optional<int64_t> Cols = L ? L->getInteger("cols") : std::nullopt;
    const json::Array *Candidates = L ? L->getArray("candidates") : nullptr;
    if (!Name || !Rows || !Cols || !Candidates)
      return Fail("a layer entry lacks layer, rows, cols or candidates");
    KnownCosts &K = Out[*Name];
    K.Rows = *Rows;
    K.Cols = *Cols;
    for (const json::Value &C : *Candidates) {
      const json::Object *O = C.getAsObject();
      std::optional<int64_t> Bits = O ? O->getInteger("bits") : std::nullopt;
      std::optional<int64_t> Group =
          O ? O->getInteger("group_size") : std::nullopt;
      // Reports without "error" predate budget-weights: cost was the error.
      std::optional<double> Value = O ? O->getNumber("error") : std::nullopt;
      if (O && !Value)
        Value = O->getNumber("cost");
      if (!Bits || !Group || !Value)
        return Fail("a candidate of layer '" + *Name +
                    "' lacks bits, group_size or error");
      K.Costs[{unsigned(*Bits), *Group}] = *Value;
    }
  }
  return Out;
}

/// budget-weights: a JSON object of layer name -> weight (finite, >= 0).
Expected<StringMap<double>> readWeights(StringRef Path) {
  auto Fail = [&](const Twine &Why) {
    return createStringError("budget-weights '" + Path + "': " + Why);
  };
  Expected<json::Value> Parsed = readJSON("budget-weights", Path);
  if (!Parsed)
    return Parsed.takeError();
  const json::Object *Root = Parsed->getAsObject();
  if (!Root)
    return Fail("not an object of layer name -> weight");
  StringMap<double> Out;
  for (const auto &[Key, Value] : *Root) {
    std::optional<double> W = Value.getAsNumber();
    if (!W || !std::isfinite(*W) || *W < 0)
      return Fail("the weight of '" + Key.str() +
                  "' is not a finite number >= 0");
    Out[Key.str()] = *W;
  }
  return Out;
}

/// Takes the layer's costs from Known when it has every candidate.
bool reuseCosts(const StringMap<KnownCosts> &Known, const BudgetItem &Item,
                std::vector<BudgetOption> &Options) {
  auto It = Known.find(Item.Name);
  if (It == Known.end() || It->second.Rows != Item.Rows ||
      It->second.Cols != Item.Cols)
    return false;
  for (const BudgetOption &O : Options)
    if (!It->second.Costs.count({O.Bits, O.GroupSize}))
      return false;
  for (BudgetOption &O : Options)
    O.Cost = It->second.Costs.at({O.Bits, O.GroupSize});
  return true;
}

double bitsPerWeight(uint64_t Bits, uint64_t Weights) {
  return Weights ? double(Bits) / double(Weights) : 0.0;
}

json::Value describeOption(const BudgetOption &O, double Weight) {
  return json::Object{{"bits", O.Bits},
                      {"group_size", O.GroupSize},
                      {"error", O.Cost},
                      {"cost", Weight * O.Cost},
                      {"storage_bits", O.StorageBits}};
}

} // namespace

Error chooseUnderBudget(MutableArrayRef<BudgetItem> Items,
                        const BudgetRequest &R, LoadLayer Load) {
  std::vector<BudgetLayer> Layers(Items.size());
  uint64_t Weights = 0;
  size_t Measured = 0;
  auto Start = std::chrono::steady_clock::now();
  for (auto [I, Item] : llvm::enumerate(Items)) {
    BudgetLayer &L = Layers[I];
    L.Name = Item.Name;
    Weights += uint64_t(Item.Rows) * uint64_t(Item.Cols);
    if (Item.Pinned) {
      int64_t G =
          Item.Options.GroupSize == -1 ? Item.Cols : Item.Options.GroupSize;
      L.Options.push_back(
          {Item.Options.Bits, G,
           ::dq::getStorageBits(Item.Rows, Item.Cols, Item.Options.Bits, G,
                                Item.Options.Scale),
           0.0});
      continue;
    }
    L.Options = candidates(R, Item);
    if (L.Options.empty())
      return createStringError(
          formatv("budget: no candidate group size divides K = {0} of layer "
                  "'{1}' (add -1, per-channel, to budget-group-sizes)",
                  Item.Cols, Item.Name)
              .str());
  }
  // Read before any measuring, so that a bad file fails fast.
  std::vector<double> LayerWeight(Items.size(), 1.0);
  if (!R.WeightsPath.empty()) {
    Expected<StringMap<double>> Read = readWeights(R.WeightsPath);
    if (!Read)
      return Read.takeError();
    SmallVector<StringRef> Missing;
    for (auto [I, Item] : llvm::enumerate(Items)) {
      auto It = Read->find(Item.Name);
      if (It != Read->end())
        LayerWeight[I] = It->second;
      else if (!Item.Pinned)
        Missing.push_back(Item.Name);
    }
    if (!Missing.empty())
      return createStringError(
          formatv("budget-weights '{0}' has no weight for {1} layer(s): "
                  "{2}{3}",
                  R.WeightsPath, Missing.size(),
                  llvm::join(ArrayRef(Missing).take_front(5), ", "),
                  Missing.size() > 5 ? ", ..." : "")
              .str());
  }
  StringMap<KnownCosts> Known;
  if (!R.CostsPath.empty()) {
    Expected<StringMap<KnownCosts>> Read = readCosts(R.CostsPath, R.Cost);
    if (!Read)
      return Read.takeError();
    Known = std::move(*Read);
  }
  std::vector<bool> Reused(Items.size(), false);
  for (auto [I, Item] : llvm::enumerate(Items))
    Reused[I] = !Item.Pinned && reuseCosts(Known, Item, Layers[I].Options);
  size_t NumReused = llvm::count(Reused, true);
  if (!R.Quiet && !R.CostsPath.empty())
    errs() << formatv("dq-quantize: budget: the errors of {0} of {1} "
                      "layer(s) from '{2}'\n",
                      NumReused, Items.size(), R.CostsPath);
  size_t ToMeasure =
      llvm::count_if(Items, [](auto &I) { return !I.Pinned; }) - NumReused;
  for (auto [I, Item] : llvm::enumerate(Items)) {
    if (Item.Pinned || Reused[I])
      continue;
    auto LayerStart = std::chrono::steady_clock::now();
    Matrix W, H;
    if (Error E = Load(I, W, H))
      return E;
    if (Error E = measure(Item, Layers[I].Options, R, W, H))
      return E;
    ++Measured;
    if (!R.Quiet)
      errs() << formatv("dq-quantize: budget [{0}/{1}] {2} {3}x{4}: {5} "
                        "configurations measured, {6:f1} s\n",
                        Measured, ToMeasure, Item.Name, Item.Rows, Item.Cols,
                        Layers[I].Options.size(),
                        std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - LayerStart)
                            .count());
  }

  // The solver minimises weighted errors; the report keeps both.
  std::vector<std::vector<BudgetOption>> Unweighted;
  for (auto [I, L] : llvm::enumerate(Layers)) {
    Unweighted.push_back(L.Options);
    for (BudgetOption &O : L.Options)
      O.Cost *= LayerWeight[I];
  }

  uint64_t BudgetBits = uint64_t(R.BitsPerWeight * double(Weights));
  Expected<std::vector<size_t>> Chosen =
      ::dq::chooseUnderBudget(Layers, BudgetBits);
  if (!Chosen) {
    uint64_t Least = 0;
    for (const BudgetLayer &L : Layers)
      Least += llvm::min_element(L.Options, [](auto &A, auto &B) {
                 return A.StorageBits < B.StorageBits;
               })->StorageBits;
    consumeError(Chosen.takeError());
    return createStringError(
        formatv("budget={0} bits per weight is below what these {1} layers "
                "can take: at least {2:f3} bits per weight with the "
                "candidate configurations (budget-bits, budget-group-sizes)",
                R.BitsPerWeight, Items.size(), bitsPerWeight(Least, Weights))
            .str());
  }

  // The uniform configuration of the pass's own bits and group size, where
  // every layer has it: what the choice is measured against.
  std::optional<double> UniformCost = 0.0;
  uint64_t UniformBits = 0, TotalBits = 0;
  double TotalCost = 0;
  json::Array Described;
  for (auto [I, Item] : llvm::enumerate(Items)) {
    const BudgetOption &Pick = Layers[I].Options[(*Chosen)[I]];
    int64_t Uniform =
        R.UniformGroupSize == -1 || R.UniformGroupSize >= Item.Cols
            ? Item.Cols
            : R.UniformGroupSize;
    auto Same = llvm::find_if(Layers[I].Options, [&](const BudgetOption &O) {
      return O.Bits == R.UniformBits && O.GroupSize == Uniform;
    });
    if (Same == Layers[I].Options.end() || Item.Pinned)
      UniformCost.reset();
    else if (UniformCost) {
      *UniformCost += Same->Cost;
      UniformBits += Same->StorageBits;
    }
    TotalBits += Pick.StorageBits;
    TotalCost += Pick.Cost;
    json::Array Candidates;
    for (const BudgetOption &O : Unweighted[I])
      Candidates.push_back(describeOption(O, LayerWeight[I]));
    Described.push_back(
        json::Object{{"layer", Item.Name},
                     {"rows", Item.Rows},
                     {"cols", Item.Cols},
                     {"bits", Pick.Bits},
                     {"group_size", Pick.GroupSize},
                     {"cost", Pick.Cost},
                     {"error", Unweighted[I][(*Chosen)[I]].Cost},
                     {"weight", LayerWeight[I]},
                     {"storage_bits", Pick.StorageBits},
                     {"pinned", Item.Pinned},
                     {"candidates", std::move(Candidates)}});
    Item.Options.Bits = Pick.Bits;
    Item.Options.GroupSize = Pick.GroupSize;
  }

  if (!R.Quiet) {
    errs() << formatv(
        "dq-quantize: budget {0} bits per weight over {1} "
        "layer(s), cost '{2}', chosen in {3:f1} s:\n",
        R.BitsPerWeight, Items.size(), costName(R.Cost),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
            .count());
    errs() << formatv("  {0,-40} {1,-16} {2,12} {3,12} {4,12}\n", "layer",
                      "config", "cost", "bytes", "bits/weight");
    for (auto [I, Item] : llvm::enumerate(Items)) {
      const BudgetOption &Pick = Layers[I].Options[(*Chosen)[I]];
      std::string Config = formatv("W{0} {1}{2}", Pick.Bits,
                                   describeGroup(Pick.GroupSize, Item.Cols),
                                   Item.Pinned ? " (fixed)" : "");
      errs() << formatv(
          "  {0,-40} {1,-16} {2,12:e3} {3,12} {4,12:f3}\n", Item.Name, Config,
          Pick.Cost, (Pick.StorageBits + 7) / 8,
          bitsPerWeight(Pick.StorageBits,
                        uint64_t(Item.Rows) * uint64_t(Item.Cols)));
    }
    errs() << formatv("dq-quantize: budget total {0:f4} bits per weight "
                      "({1} bytes), summed cost {2:e4}",
                      bitsPerWeight(TotalBits, Weights), (TotalBits + 7) / 8,
                      TotalCost);
    if (UniformCost)
      errs() << formatv("; uniform W{0} {1}: {2:f4} bits per weight, summed "
                        "cost {3:e4}",
                        R.UniformBits, uniformName(R),
                        bitsPerWeight(UniformBits, Weights), *UniformCost);
    errs() << "\n";
  }
  if (R.ReportPath.empty())
    return Error::success();
  json::Object Report{
      {"budget_bits_per_weight", R.BitsPerWeight},
      {"bits_per_weight", bitsPerWeight(TotalBits, Weights)},
      {"cost_measure", costName(R.Cost)},
      {"total_cost", TotalCost},
      {"weights", Weights},
      {"uniform", UniformCost ? json::Value(json::Object{
                                    {"bits", R.UniformBits},
                                    {"group_size", R.UniformGroupSize},
                                    {"bits_per_weight",
                                     bitsPerWeight(UniformBits, Weights)},
                                    {"total_cost", *UniformCost}})
                              : json::Value(nullptr)},
      {"layers", std::move(Described)}};
  return ::dq::writeFileAtomically(R.ReportPath, [&](raw_ostream &OS) {
    OS << formatv("{0:2}", json::Value(std::move(Report))) << "\n";
    return Error::success();
  });
}

} // namespace mlir::dq
