//===- Stats.cpp - Calibration statistics files ---------------------------===//

#include "dq/Calibration/Stats.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>

using namespace dq;

// Asymmetry or a Cauchy-Schwarz violation larger than this fraction of
// sqrt(H_ii H_jj) cannot come from rounding: XᵀX accumulated in f32 over a
// realistic number of blocked partial sums stays orders of magnitude below.
static constexpr double kSymmetryTolerance = 1e-3;

/// Shortest readable form of a value for messages ("0.6", "nan", "1e+30").
static std::string num(double V) {
  char Buf[32];
  std::snprintf(Buf, sizeof(Buf), "%g", V);
  return Buf;
}

static llvm::Error layerError(llvm::StringRef Layer, const llvm::Twine &Msg) {
  return llvm::createStringError("layer '" + Layer + "': " + Msg);
}

llvm::Error dq::verifyLayerStats(const LayerStats &L) {
  if (L.K <= 0)
    return layerError(L.Name, "K must be positive, got " + llvm::Twine(L.K));
  if (L.Tokens <= 0)
    return layerError(L.Name, "token count must be positive, got " +
                                  llvm::Twine(L.Tokens));
  if (L.Hessian.size() != uint64_t(L.K) * uint64_t(L.K))
    return layerError(L.Name, "Hessian has " + llvm::Twine(L.Hessian.size()) +
                                  " values; K = " + llvm::Twine(L.K) +
                                  " needs K*K");
  int64_t K = L.K;
  for (int64_t I = 0; I < K; ++I) {
    for (int64_t J = 0; J < K; ++J)
      if (!std::isfinite(L.Hessian[I * K + J]))
        return layerError(L.Name, "Hessian has a non-finite value (" +
                                      num(L.Hessian[I * K + J]) + ") at [" +
                                      llvm::Twine(I) + ", " + llvm::Twine(J) +
                                      "]");
    if (L.Hessian[I * K + I] < 0)
      return layerError(L.Name, "Hessian diagonal [" + llvm::Twine(I) + ", " +
                                    llvm::Twine(I) + "] is negative (" +
                                    num(L.Hessian[I * K + I]) +
                                    "); XᵀX/T has a non-negative diagonal");
  }
  for (int64_t I = 0; I < K; ++I)
    for (int64_t J = I + 1; J < K; ++J) {
      double A = L.Hessian[I * K + J], B = L.Hessian[J * K + I];
      double Bound = std::sqrt(L.Hessian[I * K + I] * L.Hessian[J * K + J]);
      double Slack = kSymmetryTolerance * Bound + 1e-300;
      if (std::fabs(A - B) > Slack)
        return layerError(L.Name, "Hessian is not symmetric: [" +
                                      llvm::Twine(I) + ", " + llvm::Twine(J) +
                                      "] = " + num(A) + " but [" +
                                      llvm::Twine(J) + ", " + llvm::Twine(I) +
                                      "] = " + num(B));
      if (std::fabs(A) > Bound + Slack)
        return layerError(
            L.Name, "Hessian is not a Gram matrix: |H[" + llvm::Twine(I) +
                        ", " + llvm::Twine(J) + "]| = " + num(std::fabs(A)) +
                        " exceeds sqrt(H[i,i] H[j,j]) = " + num(Bound));
    }
  return llvm::Error::success();
}

llvm::Error dq::mergeLayerStats(LayerStats &Acc, const LayerStats &Other) {
  if (Acc.K != Other.K)
    return layerError(
        Other.Name, "cannot merge statistics with K = " + llvm::Twine(Other.K) +
                        " into K = " + llvm::Twine(Acc.K));
  if (Other.Tokens <= 0 || Acc.Tokens < 0 ||
      Acc.Tokens > INT64_MAX - Other.Tokens)
    return layerError(Other.Name, "token counts cannot be merged (" +
                                      llvm::Twine(Acc.Tokens) + " + " +
                                      llvm::Twine(Other.Tokens) + ")");
  double Total = double(Acc.Tokens) + double(Other.Tokens);
  double WA = double(Acc.Tokens) / Total, WB = double(Other.Tokens) / Total;
  for (size_t I = 0; I < Acc.Hessian.size(); ++I)
    Acc.Hessian[I] = WA * Acc.Hessian[I] + WB * Other.Hessian[I];
  Acc.Tokens += Other.Tokens;
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

llvm::Expected<StatsReader> StatsReader::open(llvm::StringRef Path) {
  return check(SafetensorsReader::open(Path), Path);
}

llvm::Expected<StatsReader>
StatsReader::parse(std::unique_ptr<llvm::MemoryBuffer> Buffer,
                   llvm::StringRef Name) {
  return check(SafetensorsReader::parse(std::move(Buffer), Name), Name);
}

llvm::Expected<StatsReader>
StatsReader::check(llvm::Expected<SafetensorsReader> File,
                   llvm::StringRef Path) {
  if (!File)
    return File.takeError();
  auto Fail = [&](const llvm::Twine &Msg) -> llvm::Error {
    return llvm::createStringError(Path + ": " + Msg);
  };
  const auto &Meta = File->getMetadata();
  auto Format = Meta.find("format");
  if (Format == Meta.end() || Format->second != kStatsFormat)
    return Fail("not a calibration statistics file (metadata 'format' must "
                "be '" +
                kStatsFormat + "')");
  auto Version = Meta.find("format_version");
  if (Version == Meta.end() || Version->second != kStatsFormatVersion)
    return Fail(
        "unsupported statistics format version '" +
        (Version == Meta.end() ? std::string("<none>") : Version->second) +
        "' (supported: " + kStatsFormatVersion + ")");

  std::set<std::string> Hessians, Tokens;
  for (const std::string &Name : File->getNames()) {
    llvm::StringRef N(Name);
    DType Type = cantFail(File->getType(N));
    std::vector<int64_t> Shape = cantFail(File->getShape(N));
    if (N.ends_with(".hessian") && N.size() > 8) {
      if (Type != DType::F64 && Type != DType::F32)
        return Fail("'" + Name + "' must be F64 or F32, got " +
                    getSafetensorsDTypeName(Type));
      if (Shape.size() != 2 || Shape[0] != Shape[1] || Shape[0] == 0)
        return Fail("'" + Name +
                    "' must be a non-empty square [K, K] "
                    "matrix, got shape " +
                    formatShape(Shape));
      Hessians.insert(N.drop_back(8).str());
    } else if (N.ends_with(".tokens") && N.size() > 7) {
      if (Type != DType::I64 ||
          !(Shape.empty() || (Shape.size() == 1 && Shape[0] == 1)))
        return Fail("'" + Name +
                    "' must be an I64 scalar (shape [] or [1]), "
                    "got " +
                    getSafetensorsDTypeName(Type) + " " + formatShape(Shape));
      Tokens.insert(N.drop_back(7).str());
    } else {
      return Fail("unexpected tensor '" + Name +
                  "' (expected <layer>.hessian and <layer>.tokens)");
    }
  }
  for (const std::string &L : Hessians)
    if (!Tokens.count(L))
      return Fail("layer '" + L + "' has a Hessian but no '" + L + ".tokens'");
  for (const std::string &L : Tokens)
    if (!Hessians.count(L))
      return Fail("layer '" + L + "' has a token count but no '" + L +
                  ".hessian'");
  StatsReader Reader(std::move(*File), Path.str());
  Reader.Layers.assign(Hessians.begin(), Hessians.end());
  return std::move(Reader);
}

bool StatsReader::contains(llvm::StringRef Layer) const {
  return File.contains((Layer + ".hessian").str());
}

llvm::Expected<int64_t> StatsReader::getK(llvm::StringRef Layer) const {
  if (!contains(Layer))
    return llvm::createStringError(Path + ": no statistics for layer '" +
                                   Layer + "'");
  return cantFail(File.getShape((Layer + ".hessian").str()))[0];
}

llvm::Expected<LayerStats> StatsReader::read(llvm::StringRef Layer) const {
  if (!contains(Layer))
    return llvm::createStringError(Path + ": no statistics for layer '" +
                                   Layer + "'");
  llvm::Expected<Tensor> H = File.read((Layer + ".hessian").str());
  if (!H)
    return H.takeError();
  llvm::Expected<Tensor> T = File.read((Layer + ".tokens").str());
  if (!T)
    return T.takeError();
  LayerStats L;
  L.Name = Layer.str();
  L.K = H->Shape[0];
  std::memcpy(&L.Tokens, T->Data.data(), sizeof(int64_t));
  L.Hessian.resize(L.K * L.K);
  if (H->Type == DType::F64) {
    std::memcpy(L.Hessian.data(), H->Data.data(), H->Data.size());
  } else {
    const auto *F = reinterpret_cast<const float *>(H->Data.data());
    for (size_t I = 0; I < L.Hessian.size(); ++I)
      L.Hessian[I] = F[I];
  }
  if (llvm::Error E = verifyLayerStats(L))
    return llvm::createStringError(Path + ": " + llvm::toString(std::move(E)));
  // Remove the rounding-level asymmetry the check allowed.
  for (int64_t I = 0; I < L.K; ++I)
    for (int64_t J = I + 1; J < L.K; ++J) {
      double Mean = 0.5 * (L.Hessian[I * L.K + J] + L.Hessian[J * L.K + I]);
      L.Hessian[I * L.K + J] = L.Hessian[J * L.K + I] = Mean;
    }
  return L;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

llvm::Error dq::writeStatsFile(llvm::StringRef Path,
                               llvm::ArrayRef<LayerStats> Layers,
                               llvm::StringRef Producer) {
  auto Fail = [&](llvm::Error E) {
    return llvm::createStringError("cannot write '" + Path +
                                   "': " + llvm::toString(std::move(E)));
  };
  std::vector<NamedTensor> Tensors;
  std::set<std::string> Seen;
  for (const LayerStats &L : Layers) {
    if (L.Name.empty())
      return Fail(llvm::createStringError("a layer has an empty name"));
    if (!Seen.insert(L.Name).second)
      return Fail(
          llvm::createStringError("layer '" + L.Name + "' appears twice"));
    if (llvm::Error E = verifyLayerStats(L))
      return Fail(std::move(E));
    llvm::Expected<Tensor> H = Tensor::create(DType::F64, {L.K, L.K});
    llvm::Expected<Tensor> T = Tensor::create(DType::I64, {});
    if (!H || !T)
      return Fail(llvm::joinErrors(H.takeError(), T.takeError()));
    std::memcpy(H->Data.data(), L.Hessian.data(), H->Data.size());
    std::memcpy(T->Data.data(), &L.Tokens, sizeof(int64_t));
    Tensors.push_back({L.Name + ".hessian", std::move(*H)});
    Tensors.push_back({L.Name + ".tokens", std::move(*T)});
  }
  return writeSafetensorsFile(Path, Tensors,
                              {{"format", kStatsFormat.str()},
                               {"format_version", kStatsFormatVersion.str()},
                               {"producer", Producer.str()}});
}
