//===- dq-quant.cpp - Quantize one linear layer from files ----------------===//
//
// dq-quant --weight W.npy --hessian H.npy --method decoupleq --bits 2
//          --group-size 64 -o out.safetensors
//
// Reads W [N, K] and H = XᵀX/T [K, K] (float32 or float64 .npy, or tensors
// of a safetensors file named by --weight-name/--hessian-name), quantizes W
// with a registered method (lib/Quant; --list-methods), and writes q (I8 [N,
// K]), scale and offset ([N, K/G] in the chosen float type), row_error and
// row_energy (F64 [N]) to a safetensors file, atomically. Progress goes to
// stderr; the last line on stdout is one JSON object with the result. Exit
// code 0 on success, 1 on any error (the message names the file and the
// problem).
//
//===----------------------------------------------------------------------===//

#include "dq/Quant/BlasSetup.h"
#include "dq/Quant/Method.h"
#include "dq/Quant/Quantize.h"
#include "dq/Quant/Settings.h"
#include "dq/Support/Npy.h"
#include "dq/Support/Safetensors.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstring>
#include <ctime>
#include <malloc.h>

using namespace llvm;
using namespace dq;

static cl::OptionCategory quantCategory("dq-quant options");

static cl::opt<std::string> weightPath("weight", cl::Required,
                                       cl::desc("Weight W [N, K]: .npy "
                                                "(f32/f64) or .safetensors"),
                                       cl::value_desc("W.npy"),
                                       cl::cat(quantCategory));
static cl::opt<std::string>
    hessianPath("hessian", cl::Required,
                cl::desc("Hessian H = XᵀX/T [K, K], undamped: .npy "
                         "(f32/f64) or .safetensors"),
                cl::value_desc("H.npy"), cl::cat(quantCategory));
static cl::opt<std::string>
    weightName("weight-name",
               cl::desc("Tensor name of W in a safetensors --weight"),
               cl::cat(quantCategory));
static cl::opt<std::string>
    hessianName("hessian-name",
                cl::desc("Tensor name of H in a safetensors --hessian"),
                cl::cat(quantCategory));
/// "Quantization method: decoupleq, gptq, rtn (--list-methods)", from the
/// registry; static because cl::desc keeps a reference.
static const std::string methodHelp =
    "Quantization method: " + getQuantMethodList() + " (--list-methods)";
static cl::opt<std::string> methodName("method", cl::Required,
                                       cl::desc(methodHelp),
                                       cl::cat(quantCategory));
static cl::list<std::string>
    methodOptions("method-option",
                  cl::desc("A method's own option, key=value (repeatable; "
                           "--list-methods)"),
                  cl::value_desc("key=value"), cl::cat(quantCategory));
static cl::opt<bool> listMethods(
    "list-methods",
    cl::desc("List the registered methods and their options, then exit"),
    cl::cat(quantCategory), cl::callback([](const bool &) {
      printQuantMethods(outs());
      std::exit(0);
    }));
static cl::opt<unsigned> bits("bits", cl::Required,
                              cl::desc("Bits per weight: 2, 3, 4 or 8"),
                              cl::cat(quantCategory));
static cl::opt<int64_t>
    groupSize("group-size", cl::Required,
              cl::desc("Columns per (scale, offset): a divisor of K, or -1 "
                       "for one pair per row"),
              cl::cat(quantCategory));
static cl::opt<unsigned> iters("iters", cl::init(4),
                               cl::desc("decoupleQ outer iterations"),
                               cl::cat(quantCategory));
static cl::opt<std::string> intStep("int-step", cl::init("gptq"),
                                    cl::desc("decoupleQ integer step: gptq, "
                                             "pgd or flexround"),
                                    cl::cat(quantCategory));
static cl::opt<std::string> scaleType("scale-type", cl::init("f16"),
                                      cl::desc("Storage type of scale and "
                                               "offset: f16, bf16 or f32"),
                                      cl::cat(quantCategory));
static cl::opt<double> damp("damp", cl::init(0.01),
                            cl::desc("Damping λ: H + λ·mean(diag H)·I"),
                            cl::cat(quantCategory));
static cl::opt<unsigned> clipExact(
    "clip-exact-candidates", cl::init(4),
    cl::desc("Clip candidates per row scored exactly after ranking by the "
             "diagonal of H (0: all, the reference behaviour)"),
    cl::cat(quantCategory));
static cl::opt<unsigned> clipRankStride(
    "clip-rank-stride", cl::init(4),
    cl::desc("Clip ranking: every n-th candidate, then the best ones' "
             "neighbours (1: every candidate)"),
    cl::cat(quantCategory));
static cl::opt<bool>
    clipBaselines("clip-baselines", cl::init(false),
                  cl::desc("RTN/GPTQ: start from the clip-searched "
                           "(scale, offset) instead of min-max"),
                  cl::cat(quantCategory));
static cl::opt<std::string> layerName("layer-name", cl::init(""),
                                      cl::desc("Name shown in progress"),
                                      cl::cat(quantCategory));
static cl::opt<int64_t>
    tokens("tokens", cl::init(0),
           cl::desc("Calibration tokens behind H (0: unknown; read from "
                    "<layer>.tokens when --hessian-name is a statistics "
                    "file's <layer>.hessian). Fewer than K gets a warning"),
           cl::cat(quantCategory));
static cl::opt<bool>
    profile("profile", cl::init(false),
            cl::desc("Print where the time went, stage by stage, to stderr "
                     "(and as \"profile\" in the JSON line)"),
            cl::cat(quantCategory));
static cl::opt<bool> quiet("quiet", cl::init(false),
                           cl::desc("No progress on stderr"),
                           cl::cat(quantCategory));
static cl::opt<std::string> outputPath("o", cl::Required,
                                       cl::desc("Output safetensors file"),
                                       cl::value_desc("out.safetensors"),
                                       cl::cat(quantCategory));

static int fail(const Twine &Msg) {
  WithColor::error(errs(), "dq-quant") << Msg << "\n";
  return 1;
}

/// Reads a 2-D float32/float64 tensor as a float64 matrix. What is "weight"
/// or "hessian" for messages.
static Expected<Matrix> loadMatrix(StringRef Path, StringRef Name,
                                   StringRef What, StringRef NameFlag) {
  Tensor T;
  if (Path.ends_with(".safetensors")) {
    Expected<SafetensorsReader> R = SafetensorsReader::open(Path);
    if (!R)
      return R.takeError();
    if (Name.empty()) {
      std::string Names;
      for (const std::string &N : R->getNames())
        Names += (Names.empty() ? "" : ", ") + N;
      return createStringError(
          formatv("{0}: --{1} is required for a safetensors {2} (tensors: "
                  "{3})",
                  Path, NameFlag, What, Names)
              .str());
    }
    Expected<Tensor> Read = R->read(Name);
    if (!Read)
      return Read.takeError();
    T = std::move(*Read);
  } else {
    if (!Name.empty())
      return createStringError(
          formatv("--{0} applies to safetensors files only, but {1} is read "
                  "as .npy",
                  NameFlag, Path)
              .str());
    Expected<Tensor> Read = readNpyFile(Path);
    if (!Read)
      return Read.takeError();
    T = std::move(*Read);
  }
  if (T.Type != DType::F32 && T.Type != DType::F64)
    return createStringError(formatv("{0}: {1} must be float32 or float64, "
                                     "got {2}",
                                     Path, What, getDTypeName(T.Type))
                                 .str());
  if (T.Shape.size() != 2)
    return createStringError(formatv("{0}: {1} must be 2-D, got shape {2}",
                                     Path, What, T.getShapeString())
                                 .str());
  Matrix M(T.Shape[0], T.Shape[1]);
  size_t N = M.Data.size();
  if (T.Type == DType::F64) {
    std::memcpy(M.Data.data(), T.Data.data(), N * sizeof(double));
  } else {
    for (size_t I = 0; I < N; ++I) {
      float V;
      std::memcpy(&V, T.Data.data() + I * sizeof(float), sizeof(float));
      M.Data[I] = V;
    }
  }
  return M;
}

/// Encodes values already exactly representable in the storage type.
static Tensor encodeScales(ArrayRef<float> Values, int64_t Rows, int64_t Cols,
                           ScaleType Type) {
  Tensor T;
  T.Shape = {Rows, Cols};
  if (Type == ScaleType::F32) {
    T.Type = DType::F32;
    T.Data.resize(Values.size() * 4);
    std::memcpy(T.Data.data(), Values.data(), Values.size() * 4);
    return T;
  }
  T.Type = Type == ScaleType::F16 ? DType::F16 : DType::BF16;
  T.Data.resize(Values.size() * 2);
  for (size_t I = 0; I < Values.size(); ++I) {
    uint16_t Bits;
    if (Type == ScaleType::BF16) {
      uint32_t F;
      std::memcpy(&F, &Values[I], 4);
      Bits = uint16_t(F >> 16); // exact: the low half is zero
    } else {
      APFloat A(Values[I]);
      bool LosesInfo;
      A.convert(APFloat::IEEEhalf(), APFloat::rmNearestTiesToEven, &LosesInfo);
      Bits = uint16_t(A.bitcastToAPInt().getZExtValue());
    }
    std::memcpy(T.Data.data() + 2 * I, &Bits, 2);
  }
  return T;
}

/// The number of calibration tokens behind H: --tokens, else the
/// statistics file's <layer>.tokens beside --hessian-name's <layer>.hessian,
/// else 0 (unknown).
static Expected<int64_t> calibrationTokens() {
  if (tokens != 0 || !StringRef(hessianPath).ends_with(".safetensors") ||
      !StringRef(hessianName).ends_with(".hessian"))
    return int64_t(tokens);
  Expected<SafetensorsReader> R = SafetensorsReader::open(hessianPath);
  if (!R)
    return R.takeError();
  std::string Name =
      StringRef(hessianName).drop_back(strlen(".hessian")).str() + ".tokens";
  if (!R->contains(Name))
    return 0;
  Expected<Tensor> T = R->read(Name);
  if (!T)
    return T.takeError();
  if (T->Type != DType::I64 || T->getNumElements() != 1)
    return createStringError(
        formatv("{0}: {1} must be one I64 value", hessianPath, Name).str());
  int64_t Value;
  std::memcpy(&Value, T->Data.data(), sizeof(Value));
  return Value;
}

/// The stages of --profile as a table: wall and CPU seconds, share of the
/// wall time, and how many threads' worth of CPU each stage kept busy.
static void printProfile(ArrayRef<StageTime> Stages, double Total,
                         raw_ostream &OS) {
  OS << formatv("{0,-28} {1,9} {2,9} {3,7} {4,8}\n", "stage", "wall s", "cpu s",
                "wall %", "cpu/wall");
  double Wall = 0, Cpu = 0;
  for (const StageTime &T : Stages) {
    OS << formatv(
        "{0,-28} {1,9} {2,9} {3,7} {4,8}\n", T.Stage, format("%.3f", T.Seconds),
        format("%.3f", T.CpuSeconds),
        format("%.1f", Total > 0 ? 100 * T.Seconds / Total : 0.0),
        format("%.2f", T.Seconds > 0 ? T.CpuSeconds / T.Seconds : 0.0));
    Wall += T.Seconds;
    Cpu += T.CpuSeconds;
  }
  OS << formatv("{0,-28} {1,9} {2,9}\n", "total", format("%.3f", Wall),
                format("%.3f", Cpu));
}

int main(int argc, char **argv) {
  preferAVX512Blas(argv);
  // Every chunk of rows allocates buffers of megabytes (hundreds at K =
  // 11008) and frees them; glibc would hand them back to the kernel and
  // fault in fresh zeroed pages for the next chunk (10% of the CPU time
  // of a 4096x11008 layer went to page faults). Keep them in the heap.
  mallopt(M_MMAP_THRESHOLD, 32 << 20); // glibc's largest
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  InitLLVM Init(argc, argv);
  // libLLVM.so already registers a hidden "threads" option of its own: move
  // it out of the way before registering ours, which the command
  // line needs under that name.
  if (cl::Option *Theirs = cl::getRegisteredOptions().lookup("threads")) {
    Theirs->setArgStr("llvm-threads");
    Theirs->setHiddenFlag(cl::ReallyHidden);
  }
  static cl::opt<unsigned> threads("threads", cl::init(0),
                                   cl::desc("Worker threads (0: all cores); "
                                            "results do not depend on it"),
                                   cl::cat(quantCategory));
  cl::HideUnrelatedOptions(quantCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dq-quant: quantize one linear layer (RTN, GPTQ, decoupleQ or another "
      "registered method: --list-methods)\n");
  auto Start = std::chrono::steady_clock::now();

  // The same parser and messages as --dq-quantize (dq/Quant/Settings.h).
  QuantSettings Settings;
  std::pair<StringRef, std::string> Flags[] = {
      {"method", methodName},
      {"bits", std::to_string(bits)},
      {"group-size", std::to_string(groupSize)},
      {"iters", std::to_string(iters)},
      {"int-step", intStep},
      {"scale-type", scaleType},
      {"damp", formatv("{0}", format("%.17g", damp.getValue())).str()},
      {"clip-exact-candidates", std::to_string(clipExact)},
      {"clip-rank-stride", std::to_string(clipRankStride)},
      {"clip-baselines", clipBaselines ? "true" : "false"},
  };
  for (const auto &[Key, Value] : Flags)
    if (Error E = applyQuantSetting(Settings, Key, Value))
      return fail(toString(std::move(E)));
  for (const std::string &Text : methodOptions)
    if (Error E = applyQuantSetting(Settings, Text))
      return fail("--method-option: " + toString(std::move(E)));
  QuantOptions Opts = Settings.getOptions(Settings.Common.Method);
  Opts.Threads =
      threads ? threads
              : std::max(1u, hardware_concurrency().compute_thread_count());
  Opts.LayerName =
      layerName.empty() ? weightPath.getValue() : layerName.getValue();
  if (!quiet)
    if (std::optional<std::string> Note =
            describeSlowBlasCore(getBlasCoreName()))
      WithColor::note() << *Note << "\n";
  if (!quiet)
    Opts.Progress = [&](const QuantProgress &P) {
      double T = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - Start)
                     .count();
      double Cpu = double(std::clock()) / CLOCKS_PER_SEC;
      errs() << formatv("[{0}] iter {1} {2,-10} rows improved {3,6}/{4}  "
                        "error {5}  ({6}s, cpu {7}s)\n",
                        P.Layer, P.Iteration, P.Stage, P.RowsImproved, P.Rows,
                        format("%.6g", P.NormalizedError), format("%.2f", T),
                        format("%.2f", Cpu));
    };

  Expected<Matrix> W =
      loadMatrix(weightPath, weightName, "weight", "weight-name");
  if (!W)
    return fail(toString(W.takeError()));
  Expected<Matrix> H =
      loadMatrix(hessianPath, hessianName, "hessian", "hessian-name");
  if (!H)
    return fail(toString(H.takeError()));

  Expected<int64_t> T = calibrationTokens();
  if (!T)
    return fail(toString(T.takeError()));
  if (std::optional<std::string> Thin =
          describeThinCalibration(*T, H->Cols, Opts.Method))
    WithColor::warning() << Opts.LayerName << ": " << *Thin << "\n";

  auto QuantStart = std::chrono::steady_clock::now();
  std::clock_t CpuStart = std::clock();
  Expected<QuantizedLayer> L = quantizeLayer(*W, *H, Opts);
  if (!L)
    return fail(formatv("{0}: {1}", Opts.LayerName, toString(L.takeError())));
  double Seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - QuantStart)
                       .count();
  double CpuSeconds = double(std::clock() - CpuStart) / CLOCKS_PER_SEC;

  std::vector<NamedTensor> Out(5);
  Out[0].Name = "q";
  Out[0].Value.Type = DType::I8;
  Out[0].Value.Shape = {L->Rows, L->Cols};
  Out[0].Value.Data.assign(reinterpret_cast<const uint8_t *>(L->Q.data()),
                           reinterpret_cast<const uint8_t *>(L->Q.data()) +
                               L->Q.size());
  Out[1].Name = "scale";
  Out[1].Value = encodeScales(L->ScaleValues, L->Rows, L->NumGroups, L->Scale);
  Out[2].Name = "offset";
  Out[2].Value = encodeScales(L->OffsetValues, L->Rows, L->NumGroups, L->Scale);
  Out[3].Name = "row_error";
  Out[3].Value.Type = DType::F64;
  Out[3].Value.Shape = {L->Rows};
  Out[3].Value.Data.resize(L->RowError.size() * sizeof(double));
  std::memcpy(Out[3].Value.Data.data(), L->RowError.data(),
              Out[3].Value.Data.size());
  Out[4].Name = "row_energy";
  Out[4].Value.Type = DType::F64;
  Out[4].Value.Shape = {L->Rows};
  Out[4].Value.Data.resize(L->RowEnergy.size() * sizeof(double));
  std::memcpy(Out[4].Value.Data.data(), L->RowEnergy.data(),
              Out[4].Value.Data.size());
  std::map<std::string, std::string> Meta = {
      {"format", "dq-quantized-layer"},
      {"producer", "dq-quant"},
      {"method", Opts.Method},
      {"bits", std::to_string(Opts.Bits)},
      {"group_size", std::to_string(L->GroupSize)},
      {"scale_type", getScaleTypeName(Opts.Scale).str()},
      {"int_step", intStep},
      {"iters", std::to_string(iters)},
      {"iters_run", std::to_string(L->ItersRun)},
      {"damp", formatv("{0}", format("%g", Opts.Damp)).str()},
      {"normalized_error",
       formatv("{0}", format("%.17g", L->NormalizedError)).str()},
      {"encoding", "w[n,k] = scale[n,k/group_size] * q[n,k] + "
                   "offset[n,k/group_size]"}};
  if (Error E = writeSafetensorsFile(outputPath, Out, Meta))
    return fail(toString(std::move(E)));

  json::Array Profile;
  for (const StageTime &T : L->Profile)
    Profile.push_back(json::Object{{"stage", T.Stage},
                                   {"seconds", T.Seconds},
                                   {"cpu_seconds", T.CpuSeconds}});
  if (profile)
    printProfile(L->Profile, Seconds, errs());

  json::Object Result{
      {"method", Opts.Method},
      {"bits", int64_t(Opts.Bits)},
      {"group_size", int64_t(groupSize)},
      {"groups_per_row", L->NumGroups},
      {"rows", L->Rows},
      {"cols", L->Cols},
      {"scale_type", getScaleTypeName(Opts.Scale)},
      {"int_step", intStep.getValue()},
      {"iters_run", int64_t(L->ItersRun)},
      {"threads", int64_t(Opts.Threads)},
      {"normalized_error", L->NormalizedError},
      {"total_error", L->TotalError},
      {"seconds", Seconds},
      {"cpu_seconds", CpuSeconds},
      {"output", outputPath.getValue()},
      {"blas", getBlasCoreName()},
  };
  if (profile)
    Result["profile"] = std::move(Profile);
  outs() << formatv("{0}", json::Value(std::move(Result))) << "\n";
  return 0;
}
