//===- Safetensors.cpp - Strict safetensors reader and writer -------------===//

#include "dq/Support/Safetensors.h"

#include "dq/Support/AtomicFile.h"
#include "dq/Support/InputFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"

using namespace dq;

static_assert(llvm::endianness::native == llvm::endianness::little,
              "tensor files are little-endian and copied without swapping");

namespace {
/// One tensor's header entry before the offsets are checked together.
struct RawEntry {
  std::string Name;
  DType Type;
  std::vector<int64_t> Shape;
  uint64_t Begin, End; // Relative to the data buffer.
};
} // namespace

/// Parses one tensor entry; returns an error message or "".
static std::string parseEntry(llvm::StringRef Name, const llvm::json::Value &V,
                              RawEntry &Out) {
  const llvm::json::Object *Obj = V.getAsObject();
  if (!Obj)
    return "entry '" + Name.str() + "' is not an object";
  for (const auto &KV : *Obj)
    if (KV.first != "dtype" && KV.first != "shape" &&
        KV.first != "data_offsets")
      return "entry '" + Name.str() + "' has an unexpected key '" +
             KV.first.str() + "'";
  std::optional<llvm::StringRef> DTypeName = Obj->getString("dtype");
  if (!DTypeName)
    return "entry '" + Name.str() + "' has no string 'dtype'";
  std::optional<DType> Type = parseSafetensorsDTypeName(*DTypeName);
  if (!Type)
    return "entry '" + Name.str() + "' has unsupported dtype '" +
           DTypeName->str() + "'";
  const llvm::json::Array *Shape = Obj->getArray("shape");
  if (!Shape)
    return "entry '" + Name.str() + "' has no array 'shape'";
  if (Shape->size() > kMaxTensorRank)
    return "entry '" + Name.str() + "' has more than " +
           std::to_string(kMaxTensorRank) + " dimensions";
  for (const llvm::json::Value &Dim : *Shape) {
    std::optional<int64_t> D = Dim.getAsInteger();
    if (!D || *D < 0)
      return "entry '" + Name.str() +
             "' has a shape that is not a list of non-negative integers";
    Out.Shape.push_back(*D);
  }
  const llvm::json::Array *Offsets = Obj->getArray("data_offsets");
  std::optional<int64_t> Begin, End;
  if (Offsets && Offsets->size() == 2) {
    Begin = (*Offsets)[0].getAsInteger();
    End = (*Offsets)[1].getAsInteger();
  }
  if (!Begin || !End || *Begin < 0 || *End < *Begin)
    return "entry '" + Name.str() +
           "' needs 'data_offsets' [begin, end] with 0 <= begin <= end";
  std::optional<uint64_t> Bytes = getCheckedByteSize(*Type, Out.Shape);
  if (!Bytes)
    return "entry '" + Name.str() + "' has shape " + formatShape(Out.Shape) +
           " whose byte size overflows";
  if (*Bytes != uint64_t(*End - *Begin))
    return "entry '" + Name.str() + "': shape " + formatShape(Out.Shape) +
           " of " + DTypeName->str() + " needs " + std::to_string(*Bytes) +
           " bytes but data_offsets span " + std::to_string(*End - *Begin);
  Out.Name = Name.str();
  Out.Type = *Type;
  Out.Begin = uint64_t(*Begin);
  Out.End = uint64_t(*End);
  return "";
}

/// Checks the 8-byte header length of a file of FileSize bytes whose first
/// bytes are Prefix; returns the length or an error message.
static llvm::Expected<uint64_t> checkHeaderLength(llvm::StringRef Prefix,
                                                  uint64_t FileSize,
                                                  llvm::StringRef Name) {
  auto Fail = [&](const llvm::Twine &Msg) -> llvm::Error {
    return llvm::createStringError(Name + ": " + Msg);
  };
  if (FileSize < 8 || Prefix.size() < 8)
    return Fail("truncated safetensors file: " + llvm::Twine(FileSize) +
                " bytes, too short for the header length");
  uint64_t HeaderLen = llvm::support::endian::read64le(Prefix.data());
  if (HeaderLen > kMaxSafetensorsHeaderBytes)
    return Fail("header length " + llvm::Twine(HeaderLen) +
                " exceeds the limit of " +
                llvm::Twine(kMaxSafetensorsHeaderBytes) +
                " bytes (not a safetensors file?)");
  if (HeaderLen > FileSize - 8)
    return Fail("truncated safetensors file: the header claims " +
                llvm::Twine(HeaderLen) + " bytes but only " +
                llvm::Twine(FileSize - 8) + " follow");
  return HeaderLen;
}

llvm::Expected<SafetensorsReader>
SafetensorsReader::parseHeader(llvm::StringRef HeaderText, uint64_t FileSize,
                               llvm::StringRef Name) {
  auto Fail = [&](const llvm::Twine &Msg) -> llvm::Error {
    return llvm::createStringError(Name + ": " + Msg);
  };
  uint64_t HeaderLen = HeaderText.size();
  if (!HeaderText.starts_with("{"))
    return Fail("header is not a JSON object (not a safetensors file?)");
  llvm::Expected<llvm::json::Value> Header = llvm::json::parse(HeaderText);
  if (!Header)
    return Fail("malformed JSON header: " + llvm::toString(Header.takeError()));
  const llvm::json::Object *Root = Header->getAsObject();
  if (!Root)
    return Fail("header is not a JSON object");

  SafetensorsReader Reader;
  Reader.FileName = Name.str();
  std::vector<RawEntry> Raw;
  for (const auto &KV : *Root) {
    if (KV.first == "__metadata__") {
      const llvm::json::Object *Meta = KV.second.getAsObject();
      if (!Meta)
        return Fail("'__metadata__' is not an object");
      for (const auto &M : *Meta) {
        std::optional<llvm::StringRef> Value = M.second.getAsString();
        if (!Value)
          return Fail("metadata value of '" + M.first.str() +
                      "' is not a string");
        Reader.Metadata[M.first.str()] = Value->str();
      }
      continue;
    }
    RawEntry Entry;
    std::string Err = parseEntry(KV.first, KV.second, Entry);
    if (!Err.empty())
      return Fail(Err);
    Raw.push_back(std::move(Entry));
  }

  // The entries must tile the data buffer exactly: no gaps, no overlaps, no
  // bytes past the end, none left over.
  uint64_t DataBegin = 8 + HeaderLen;
  uint64_t DataSize = FileSize - DataBegin;
  llvm::sort(Raw, [](const RawEntry &A, const RawEntry &B) {
    return std::tie(A.Begin, A.End, A.Name) < std::tie(B.Begin, B.End, B.Name);
  });
  uint64_t Expected = 0;
  for (const RawEntry &E : Raw) {
    if (E.Begin != Expected) {
      if (E.Begin < Expected)
        return Fail("tensor '" + E.Name + "' overlaps the previous tensor");
      return Fail("gap in the data buffer before tensor '" + E.Name + "'");
    }
    if (E.End > DataSize)
      return Fail("truncated safetensors file: tensor '" + E.Name +
                  "' ends at byte " + llvm::Twine(E.End) +
                  " of the data buffer, which has only " +
                  llvm::Twine(DataSize));
    Expected = E.End;
  }
  if (Expected != DataSize)
    return Fail(llvm::Twine(DataSize - Expected) +
                " unexpected trailing bytes after the last tensor");

  for (RawEntry &E : Raw) {
    Reader.Names.push_back(E.Name);
    Reader.Entries[E.Name] = Entry{E.Type, std::move(E.Shape),
                                   DataBegin + E.Begin, DataBegin + E.End};
  }
  llvm::sort(Reader.Names);
  return std::move(Reader);
}

llvm::Expected<SafetensorsReader>
SafetensorsReader::parse(std::unique_ptr<llvm::MemoryBuffer> Buffer,
                         llvm::StringRef Name) {
  llvm::StringRef Bytes = Buffer->getBuffer();
  llvm::Expected<uint64_t> HeaderLen =
      checkHeaderLength(Bytes, Bytes.size(), Name);
  if (!HeaderLen)
    return HeaderLen.takeError();
  llvm::Expected<SafetensorsReader> Reader =
      parseHeader(Bytes.substr(8, *HeaderLen), Bytes.size(), Name);
  if (Reader)
    Reader->Buffer = std::move(Buffer);
  return Reader;
}

llvm::Expected<SafetensorsReader>
SafetensorsReader::open(llvm::StringRef Path) {
  llvm::Expected<InputFile> File = InputFile::open(Path);
  if (!File)
    return File.takeError();
  uint64_t FileSize = File->getSize();
  // Only the header is read now, after its length was checked against the
  // file size; the data stays on disk until a tensor is read.
  char Prefix[8];
  uint64_t PrefixLen = std::min<uint64_t>(8, FileSize);
  if (llvm::Error E =
          File->read(llvm::MutableArrayRef<char>(Prefix, PrefixLen), 0))
    return std::move(E);
  llvm::Expected<uint64_t> HeaderLen =
      checkHeaderLength(llvm::StringRef(Prefix, PrefixLen), FileSize, Path);
  if (!HeaderLen)
    return HeaderLen.takeError();
  std::string HeaderText(*HeaderLen, '\0');
  if (llvm::Error E = File->read(HeaderText, 8))
    return std::move(E);
  llvm::Expected<SafetensorsReader> Reader =
      parseHeader(HeaderText, FileSize, Path);
  if (Reader)
    Reader->File = std::make_unique<InputFile>(std::move(*File));
  return Reader;
}

bool SafetensorsReader::contains(llvm::StringRef Name) const {
  return Entries.find(Name) != Entries.end();
}

llvm::Error SafetensorsReader::unknownName(llvm::StringRef Name) const {
  std::string Known;
  for (const std::string &N : Names)
    Known += (Known.empty() ? "" : ", ") + N;
  return llvm::createStringError(FileName + ": no tensor named '" + Name +
                                 "' (has: " + (Known.empty() ? "none" : Known) +
                                 ")");
}

llvm::Expected<DType> SafetensorsReader::getType(llvm::StringRef Name) const {
  auto It = Entries.find(Name);
  if (It == Entries.end())
    return unknownName(Name);
  return It->second.Type;
}

llvm::Expected<std::vector<int64_t>>
SafetensorsReader::getShape(llvm::StringRef Name) const {
  auto It = Entries.find(Name);
  if (It == Entries.end())
    return unknownName(Name);
  return It->second.Shape;
}

llvm::Expected<Tensor> SafetensorsReader::read(llvm::StringRef Name) const {
  auto It = Entries.find(Name);
  if (It == Entries.end())
    return unknownName(Name);
  const Entry &E = It->second;
  if (llvm::Error Err = checkAllocation(E.End - E.Begin))
    return llvm::createStringError(FileName + ": tensor '" + Name + "' " +
                                   llvm::toString(std::move(Err)));
  Tensor T;
  T.Type = E.Type;
  T.Shape = E.Shape;
  if (Buffer) {
    const auto *Data =
        reinterpret_cast<const uint8_t *>(Buffer->getBufferStart());
    T.Data.assign(Data + E.Begin, Data + E.End);
    return T;
  }
  T.Data.resize(E.End - E.Begin);
  if (llvm::Error Err = File->read(
          llvm::MutableArrayRef<char>(reinterpret_cast<char *>(T.Data.data()),
                                      T.Data.size()),
          E.Begin))
    return std::move(Err);
  return T;
}

llvm::Error
dq::writeSafetensors(llvm::raw_ostream &OS, llvm::ArrayRef<NamedTensor> Tensors,
                     const std::map<std::string, std::string> &Metadata) {
  llvm::json::Object Root;
  if (!Metadata.empty()) {
    llvm::json::Object Meta;
    for (const auto &[Key, Value] : Metadata)
      Meta[Key] = Value;
    Root["__metadata__"] = std::move(Meta);
  }
  uint64_t Offset = 0;
  for (const NamedTensor &NT : Tensors) {
    if (NT.Name.empty() || NT.Name == "__metadata__")
      return llvm::createStringError("invalid tensor name '" + NT.Name + "'");
    if (Root.get(NT.Name))
      return llvm::createStringError("duplicate tensor name '" + NT.Name + "'");
    if (llvm::Error E = NT.Value.verify())
      return llvm::createStringError("tensor '" + NT.Name +
                                     "': " + llvm::toString(std::move(E)));
    llvm::json::Array Shape;
    for (int64_t D : NT.Value.Shape)
      Shape.push_back(D);
    uint64_t End = Offset + NT.Value.Data.size();
    Root[NT.Name] = llvm::json::Object{
        {"dtype", getSafetensorsDTypeName(NT.Value.Type)},
        {"shape", std::move(Shape)},
        {"data_offsets", llvm::json::Array{int64_t(Offset), int64_t(End)}}};
    Offset = End;
  }
  std::string Header;
  llvm::raw_string_ostream(Header) << llvm::json::Value(std::move(Root));
  // Pad with spaces so that the data buffer starts 8-byte aligned.
  Header.append((8 - Header.size() % 8) % 8, ' ');
  char Len[8];
  llvm::support::endian::write64le(Len, Header.size());
  OS.write(Len, 8);
  OS << Header;
  for (const NamedTensor &NT : Tensors)
    OS.write(reinterpret_cast<const char *>(NT.Value.Data.data()),
             NT.Value.Data.size());
  return llvm::Error::success();
}

llvm::Error
dq::writeSafetensorsFile(llvm::StringRef Path,
                         llvm::ArrayRef<NamedTensor> Tensors,
                         const std::map<std::string, std::string> &Metadata) {
  // Serialise first so that refused input creates no file at all.
  std::string Bytes;
  llvm::raw_string_ostream OS(Bytes);
  if (llvm::Error E = writeSafetensors(OS, Tensors, Metadata))
    return llvm::createStringError("cannot write '" + Path +
                                   "': " + llvm::toString(std::move(E)));
  return writeFileAtomically(Path, [&](llvm::raw_ostream &Out) {
    Out << Bytes;
    return llvm::Error::success();
  });
}
