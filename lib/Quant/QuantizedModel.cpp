//===- QuantizedModel.cpp - Checkpoints of quantized layers ---------------===//

#include "dq/Quant/QuantizedModel.h"

#include "dq/Support/Packing.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstring>
#include <set>

using namespace dq;

static constexpr llvm::StringLiteral kParts[] = {".q", ".scale", ".offset"};
static constexpr llvm::StringLiteral kFloatSuffix = ".value";

llvm::Expected<QuantizedModelReader>
QuantizedModelReader::open(llvm::StringRef Path) {
  QuantizedModelReader Reader;
  if (!llvm::sys::fs::is_directory(Path)) {
    if (llvm::Error E = Reader.addPart(SafetensorsReader::open(Path), Path))
      return std::move(E);
    return std::move(Reader);
  }
  std::vector<std::string> Files;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(Path, EC), End; It != End && !EC;
       It.increment(EC)) {
    llvm::StringRef File = llvm::sys::path::filename(It->path());
    if (File.ends_with(".safetensors") && !File.starts_with("."))
      Files.push_back(It->path());
  }
  if (EC)
    return llvm::createStringError(Path + ": " + EC.message());
  if (Files.empty())
    return llvm::createStringError(Path +
                                   ": directory holds no .safetensors file");
  llvm::sort(Files);
  for (const std::string &File : Files)
    if (llvm::Error E = Reader.addPart(SafetensorsReader::open(File), File))
      return std::move(E);
  llvm::sort(Reader.Layers);
  llvm::sort(Reader.Floats);
  return std::move(Reader);
}

llvm::Expected<QuantizedModelReader>
QuantizedModelReader::parse(std::unique_ptr<llvm::MemoryBuffer> Buffer,
                            llvm::StringRef Name) {
  QuantizedModelReader Reader;
  if (llvm::Error E = Reader.addPart(
          SafetensorsReader::parse(std::move(Buffer), Name), Name))
    return std::move(E);
  return std::move(Reader);
}

static std::string shapeText(llvm::ArrayRef<int64_t> Shape) {
  return formatShape(Shape);
}

llvm::Error
QuantizedModelReader::addPart(llvm::Expected<SafetensorsReader> File,
                              llvm::StringRef Name) {
  if (!File)
    return File.takeError();
  auto Fail = [&](const llvm::Twine &Msg) -> llvm::Error {
    return llvm::createStringError(Name + ": " + Msg);
  };
  const auto &Meta = File->getMetadata();
  auto Format = Meta.find("format");
  if (Format == Meta.end() || Format->second != kQuantizedModelFormat)
    return Fail("not a quantized-model checkpoint (metadata 'format' must be "
                "'" +
                kQuantizedModelFormat + "', docs/weights-format.md)");
  auto Version = Meta.find("format_version");
  if (Version == Meta.end() || Version->second != kQuantizedModelFormatVersion)
    return Fail(
        "unsupported quantized-model format version '" +
        (Version == Meta.end() ? std::string("<none>") : Version->second) +
        "' (supported: " + kQuantizedModelFormatVersion + ")");

  // Every tensor belongs to a layer or a float parameter through its suffix.
  std::set<std::string> Found;
  std::vector<std::string> FoundFloats;
  for (const std::string &Tensor : File->getNames()) {
    llvm::StringRef T(Tensor);
    if (T.ends_with(kFloatSuffix) && T.size() > kFloatSuffix.size()) {
      DType Type = cantFail(File->getType(T));
      if (Type != DType::F32)
        return Fail("tensor '" + T + "' must be F32, got " +
                    getSafetensorsDTypeName(Type));
      FoundFloats.push_back(T.drop_back(kFloatSuffix.size()).str());
      continue;
    }
    const auto *Part = llvm::find_if(
        kParts, [&](llvm::StringRef P) { return T.ends_with(P); });
    if (Part == std::end(kParts) || T.size() == Part->size())
      return Fail("tensor '" + T +
                  "' is not the .q, .scale or .offset of a layer, nor a "
                  ".value");
    Found.insert(T.drop_back(Part->size()).str());
  }
  if (Found.empty() && FoundFloats.empty())
    return Fail("holds no layers and no .value tensors");

  // Meta refers into *File: read it through the part from here on.
  unsigned PartIndex = Parts.size();
  Parts.push_back({std::move(*File), Name.str()});
  const SafetensorsReader &F = Parts.back().File;
  const auto &LayerMeta = F.getMetadata();
  for (const std::string &Layer : Found) {
    auto LayerFail = [&](const llvm::Twine &Msg) {
      return Fail("layer '" + Layer + "': " + Msg);
    };
    for (llvm::StringRef Part : kParts)
      if (!F.contains(Layer + Part.str()))
        return LayerFail("has no " + Part + " tensor");
    auto BitsEntry = LayerMeta.find(Layer + ".bits");
    unsigned Bits = 0;
    if (BitsEntry == LayerMeta.end())
      return LayerFail("no '" + Layer + ".bits' metadata entry");
    if (llvm::StringRef(BitsEntry->second).getAsInteger(10, Bits) ||
        !isSupportedPackingBits(Bits))
      return LayerFail("bits '" + BitsEntry->second +
                       "' is not supported (expected 2, 3, 4 or 8)");

    DType QType = cantFail(F.getType(Layer + ".q"));
    std::vector<int64_t> QShape = cantFail(F.getShape(Layer + ".q"));
    if (QType != DType::I8 || QShape.size() != 2)
      return LayerFail("q must be I8 [N, K], got " +
                       getSafetensorsDTypeName(QType).str() + " " +
                       shapeText(QShape));
    DType SType = cantFail(F.getType(Layer + ".scale"));
    std::vector<int64_t> SShape = cantFail(F.getShape(Layer + ".scale"));
    if (SType != DType::F16 && SType != DType::BF16 && SType != DType::F32)
      return LayerFail("scale must be F16, BF16 or F32, got " +
                       getSafetensorsDTypeName(SType).str());
    if (cantFail(F.getType(Layer + ".offset")) != SType ||
        cantFail(F.getShape(Layer + ".offset")) != SShape)
      return LayerFail("offset must have the dtype and shape of scale (" +
                       getSafetensorsDTypeName(SType).str() + " " +
                       shapeText(SShape) + ")");
    if (SShape.size() != 2 || SShape[0] != QShape[0] || SShape[1] <= 0 ||
        QShape[1] % SShape[1] != 0)
      return LayerFail("scale is " + shapeText(SShape) + " but q is " +
                       shapeText(QShape) +
                       ": expected [N, G] with G dividing K");
    auto [It, New] = Info.try_emplace(Layer, LayerInfo{Bits, PartIndex});
    if (!New)
      return LayerFail("is also in '" + Parts[It->second.Part].Name + "'");
    Layers.push_back(Layer);
  }
  for (const std::string &Name : FoundFloats) {
    auto [It, New] = FloatParts.try_emplace(Name, PartIndex);
    if (!New)
      return Fail("tensor '" + llvm::Twine(Name) + kFloatSuffix +
                  "' is also in '" + Parts[It->second].Name + "'");
    Floats.push_back(Name);
  }
  return llvm::Error::success();
}

/// Decodes a tensor of F16, BF16 or F32 values to float (exact).
static std::vector<float> decodeFloats(const Tensor &T) {
  size_t N = T.getNumElements();
  std::vector<float> Out(N);
  if (T.Type == DType::F32) {
    std::memcpy(Out.data(), T.Data.data(), N * sizeof(float));
    return Out;
  }
  for (size_t I = 0; I < N; ++I) {
    uint16_t Bits;
    std::memcpy(&Bits, T.Data.data() + 2 * I, 2);
    if (T.Type == DType::BF16) {
      uint32_t Word = uint32_t(Bits) << 16;
      std::memcpy(&Out[I], &Word, 4);
    } else {
      Out[I] = llvm::APFloat(llvm::APFloat::IEEEhalf(), llvm::APInt(16, Bits))
                   .convertToFloat();
    }
  }
  return Out;
}

llvm::Expected<QuantizedLayer> QuantizedModelReader::read(llvm::StringRef Layer,
                                                          int64_t Rows,
                                                          int64_t Cols) const {
  auto It = Info.find(Layer);
  if (It == Info.end())
    return llvm::createStringError("layer '" + Layer +
                                   "': not in the checkpoint");
  const Part &P = Parts[It->second.Part];
  const SafetensorsReader &File = P.File;
  auto Fail = [&](const llvm::Twine &Msg) -> llvm::Error {
    return llvm::createStringError(P.Name + ": layer '" + Layer + "': " + Msg);
  };
  llvm::Expected<Tensor> Q = File.read(Layer.str() + ".q");
  if (!Q)
    return Q.takeError();
  if (Q->Shape != std::vector<int64_t>{Rows, Cols})
    return Fail("q is " + Q->getShapeString() + " but the weight is " +
                llvm::Twine(Rows) + " x " + llvm::Twine(Cols) + " (N x K)");
  llvm::Expected<Tensor> S = File.read(Layer.str() + ".scale");
  if (!S)
    return S.takeError();
  llvm::Expected<Tensor> Z = File.read(Layer.str() + ".offset");
  if (!Z)
    return Z.takeError();

  QuantizedLayer L;
  L.Rows = Rows;
  L.Cols = Cols;
  L.Bits = It->second.Bits;
  L.NumGroups = S->Shape[1];
  L.GroupSize = Cols / L.NumGroups;
  L.Scale = S->Type == DType::F16    ? ScaleType::F16
            : S->Type == DType::BF16 ? ScaleType::BF16
                                     : ScaleType::F32;
  L.Q.resize(Q->Data.size());
  std::memcpy(L.Q.data(), Q->Data.data(), L.Q.size());
  int Lo = -(1 << (L.Bits - 1)), Hi = (1 << (L.Bits - 1)) - 1;
  for (size_t I = 0; I < L.Q.size(); ++I)
    if (L.Q[I] < Lo || L.Q[I] > Hi)
      return Fail("q[" + llvm::Twine(I / Cols) + ", " + llvm::Twine(I % Cols) +
                  "] = " + llvm::Twine(int(L.Q[I])) + " is outside [" +
                  llvm::Twine(Lo) + ", " + llvm::Twine(Hi) + "] of " +
                  llvm::Twine(L.Bits) + " bits");
  L.ScaleValues = decodeFloats(*S);
  L.OffsetValues = decodeFloats(*Z);
  for (auto [What, Values] : {std::pair<llvm::StringRef, std::vector<float> *>{
                                  "scale", &L.ScaleValues},
                              {"offset", &L.OffsetValues}})
    for (size_t I = 0; I < Values->size(); ++I)
      if (!std::isfinite((*Values)[I]))
        return Fail(What + "[" + llvm::Twine(I / L.NumGroups) + ", " +
                    llvm::Twine(I % L.NumGroups) + "] is not finite (" +
                    std::to_string((*Values)[I]) + ")");
  L.RowError.assign(Rows, 0.0);
  L.ItersRun = 0;
  return L;
}

llvm::Expected<std::vector<float>>
QuantizedModelReader::readFloat(llvm::StringRef Name,
                                llvm::ArrayRef<int64_t> Shape) const {
  auto It = FloatParts.find(Name);
  if (It == FloatParts.end())
    return llvm::createStringError("tensor '" + llvm::Twine(Name) +
                                   kFloatSuffix + "': not in the checkpoint");
  const Part &P = Parts[It->second];
  std::string TensorName = (Name + kFloatSuffix).str();
  auto Fail = [&](const llvm::Twine &Msg) -> llvm::Error {
    return llvm::createStringError(P.Name + ": tensor '" + TensorName +
                                   "': " + Msg);
  };
  // Check the shape from the header before reading any data.
  std::vector<int64_t> FileShape = cantFail(P.File.getShape(TensorName));
  if (llvm::ArrayRef<int64_t>(FileShape) != Shape)
    return Fail("shape " + shapeText(FileShape) + " differs from " +
                shapeText(Shape) + ", the shape of the constant it replaces");
  llvm::Expected<Tensor> T = P.File.read(TensorName);
  if (!T)
    return T.takeError();
  std::vector<float> Values = decodeFloats(*T);
  for (size_t I = 0; I < Values.size(); ++I) {
    if (std::isfinite(Values[I]))
      continue;
    // The index in the tensor's own dims, outermost first.
    llvm::SmallVector<int64_t> Index(Shape.size());
    for (size_t Flat = I, D = Shape.size(); D-- > 0;) {
      Index[D] = Flat % Shape[D];
      Flat /= Shape[D];
    }
    return Fail("element " + shapeText(Index) + " is not finite (" +
                std::to_string(Values[I]) + ")");
  }
  return Values;
}
