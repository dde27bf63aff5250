//===- Npy.cpp - Strict .npy reader and writer ----------------------------===//

#include "dq/Support/Npy.h"

#include "dq/Support/AtomicFile.h"
#include "dq/Support/InputFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"

using namespace dq;

static_assert(llvm::endianness::native == llvm::endianness::little,
              "tensor files are little-endian and copied without swapping");

static constexpr llvm::StringLiteral kMagic = "\x93NUMPY";

namespace {

/// The three fields of an .npy header.
struct NpyHeader {
  std::string Descr;
  bool FortranOrder = false;
  std::vector<int64_t> Shape;
};

/// Parser for the header dict. It accepts the Python literal syntax numpy
/// writes (either quote style, optional trailing commas, blanks between
/// tokens) and nothing more: no escapes, no nested values besides the shape
/// tuple, no other keys.
class HeaderParser {
public:
  explicit HeaderParser(llvm::StringRef Text) : Text(Text) {}

  /// Returns an error message, or an empty string on success.
  std::string parse(NpyHeader &Result);

private:
  llvm::StringRef Text;
  size_t Pos = 0;

  void skipBlanks() {
    while (Pos < Text.size() && (Text[Pos] == ' ' || Text[Pos] == '\t'))
      ++Pos;
  }
  bool consume(char C) {
    skipBlanks();
    if (Pos < Text.size() && Text[Pos] == C) {
      ++Pos;
      return true;
    }
    return false;
  }
  bool peek(char C) {
    skipBlanks();
    return Pos < Text.size() && Text[Pos] == C;
  }
  std::string where() const {
    return " at offset " + std::to_string(Pos) + " of the header";
  }
  bool parseString(std::string &Out, std::string &Err);
  bool parseBool(bool &Out, std::string &Err);
  bool parseShape(std::vector<int64_t> &Out, std::string &Err);
};

} // namespace

bool HeaderParser::parseString(std::string &Out, std::string &Err) {
  skipBlanks();
  if (Pos >= Text.size() || (Text[Pos] != '\'' && Text[Pos] != '"')) {
    Err = "expected a quoted string" + where();
    return false;
  }
  char Quote = Text[Pos++];
  size_t Begin = Pos;
  while (Pos < Text.size() && Text[Pos] != Quote) {
    char C = Text[Pos];
    // No valid key or descr needs escapes or control characters.
    if (C == '\\' || static_cast<unsigned char>(C) < 0x20 ||
        static_cast<unsigned char>(C) >= 0x7f) {
      Err = "unsupported character in a string" + where();
      return false;
    }
    ++Pos;
  }
  if (Pos >= Text.size()) {
    Err = "unterminated string in the header";
    return false;
  }
  Out = Text.slice(Begin, Pos).str();
  ++Pos;
  return true;
}

bool HeaderParser::parseBool(bool &Out, std::string &Err) {
  skipBlanks();
  llvm::StringRef Rest = Text.drop_front(Pos);
  if (Rest.starts_with("True")) {
    Out = true;
    Pos += 4;
    return true;
  }
  if (Rest.starts_with("False")) {
    Out = false;
    Pos += 5;
    return true;
  }
  Err = "expected True or False for 'fortran_order'" + where();
  return false;
}

bool HeaderParser::parseShape(std::vector<int64_t> &Out, std::string &Err) {
  if (!consume('(')) {
    Err = "expected a tuple for 'shape'" + where();
    return false;
  }
  Out.clear();
  // Python needs the comma in "(5,)": "(5)" is an int, not a tuple.
  bool NeedsComma = false;
  while (!consume(')')) {
    skipBlanks();
    size_t Begin = Pos;
    while (Pos < Text.size() && llvm::isDigit(Text[Pos]))
      ++Pos;
    if (Begin == Pos) {
      Err = "expected a non-negative integer in 'shape'" + where();
      return false;
    }
    int64_t Dim;
    if (Text.slice(Begin, Pos).getAsInteger(10, Dim)) {
      Err = "dimension " + Text.slice(Begin, Pos).str() +
            " in 'shape' does not fit in 64 bits";
      return false;
    }
    if (Out.size() == kMaxTensorRank) {
      Err = "shape has more than " + std::to_string(kMaxTensorRank) +
            " dimensions";
      return false;
    }
    Out.push_back(Dim);
    if (consume(',')) {
      NeedsComma = false;
      continue;
    }
    if (!peek(')')) {
      Err = "expected ',' or ')' in 'shape'" + where();
      return false;
    }
    NeedsComma = Out.size() == 1;
  }
  if (NeedsComma) {
    Err = "'shape' must be a tuple; write (N,) for one dimension";
    return false;
  }
  return true;
}

std::string HeaderParser::parse(NpyHeader &Result) {
  // The format ends the header with '\n' after optional space padding.
  if (!Text.ends_with("\n"))
    return "header does not end with a newline";
  Text = Text.drop_back();
  std::string Err;
  if (!consume('{'))
    return "header is not a dict literal (expected '{')";
  bool SeenDescr = false, SeenFortran = false, SeenShape = false;
  while (!consume('}')) {
    std::string Key;
    if (!parseString(Key, Err))
      return Err;
    if (!consume(':'))
      return "expected ':' after '" + Key + "'" + where();
    bool *Seen;
    if (Key == "descr") {
      Seen = &SeenDescr;
      if (peek('['))
        return "structured dtypes (a list 'descr') are not supported";
      if (!parseString(Result.Descr, Err))
        return Err;
    } else if (Key == "fortran_order") {
      Seen = &SeenFortran;
      if (!parseBool(Result.FortranOrder, Err))
        return Err;
    } else if (Key == "shape") {
      Seen = &SeenShape;
      if (!parseShape(Result.Shape, Err))
        return Err;
    } else {
      return "unexpected key '" + Key + "' in the header";
    }
    if (*Seen)
      return "duplicate key '" + Key + "' in the header";
    *Seen = true;
    if (consume(','))
      continue;
    if (!peek('}'))
      return "expected ',' or '}'" + where();
  }
  skipBlanks();
  if (Pos != Text.size())
    return "unexpected characters after the header dict" + where();
  if (!SeenDescr)
    return "header has no 'descr'";
  if (!SeenFortran)
    return "header has no 'fortran_order'";
  if (!SeenShape)
    return "header has no 'shape'";
  return "";
}

static std::string getSupportedDescrs() {
  std::string S;
  for (DType Type : getAllDTypes())
    if (std::optional<llvm::StringRef> Descr = getNpyDescr(Type))
      S += (S.empty() ? "" : ", ") + Descr->str();
  return S;
}

/// Explains why a descr that parseNpyDescr refused is not supported.
static std::string explainDescr(llvm::StringRef Descr) {
  std::string Quoted = "'" + Descr.str() + "'";
  if (Descr.starts_with(">"))
    return "big-endian dtype " + Quoted +
           " is not supported; convert with arr.astype(arr.dtype.newbyteorder("
           "'<'))";
  if (Descr.size() >= 2 && Descr[1] == 'O')
    return "object arrays (dtype " + Quoted + ") are not supported";
  if (Descr.starts_with("="))
    return "dtype " + Quoted + " has no explicit byte order; expected '<'";
  return "unsupported dtype " + Quoted +
         " (supported: " + getSupportedDescrs() + ")";
}

namespace {
/// What the header of a .npy file promises, checked against the file size.
struct NpyLayout {
  DType Type;
  std::vector<int64_t> Shape;
  uint64_t DataBegin, DataSize;
};
} // namespace

/// Length of the part of a .npy file that holds the magic string, version,
/// header length and header, when Prefix (the first bytes) is long enough to
/// tell; 0 otherwise.
static uint64_t getNpyHeaderEnd(llvm::StringRef Prefix) {
  if (Prefix.size() < 12 || !Prefix.starts_with(kMagic))
    return 0;
  unsigned Major = static_cast<uint8_t>(Prefix[6]);
  if (Major == 1)
    return 10 + uint64_t(llvm::support::endian::read16le(Prefix.data() + 8));
  return 12 + uint64_t(llvm::support::endian::read32le(Prefix.data() + 8));
}

/// Checks everything but the data of a .npy file of FileSize bytes whose
/// first bytes are Prefix (at least the header, or the whole file when it is
/// shorter). Nothing is allocated for the data until this succeeded.
static llvm::Expected<NpyLayout> checkNpyLayout(llvm::StringRef Prefix,
                                                uint64_t FileSize,
                                                llvm::StringRef Name) {
  auto Fail = [&](const llvm::Twine &Msg) -> llvm::Error {
    return llvm::createStringError(Name + ": " + Msg);
  };
  if (FileSize < 8) {
    if (!kMagic.starts_with(Prefix.take_front(kMagic.size())))
      return Fail("not a .npy file (bad magic string)");
    return Fail("truncated .npy file: " + llvm::Twine(FileSize) +
                " bytes, too short for the magic string and version");
  }
  if (!Prefix.starts_with(kMagic))
    return Fail("not a .npy file (bad magic string)");
  unsigned Major = static_cast<uint8_t>(Prefix[6]);
  unsigned Minor = static_cast<uint8_t>(Prefix[7]);
  if (Major < 1 || Major > 3 || Minor != 0)
    return Fail("unsupported .npy format version " + llvm::Twine(Major) + "." +
                llvm::Twine(Minor) + " (supported: 1.0, 2.0, 3.0)");
  // Version 1.0 has a 2-byte header length, later versions 4 bytes.
  size_t LenSize = Major == 1 ? 2 : 4;
  if (FileSize < 8 + LenSize)
    return Fail("truncated .npy file: ends inside the header length");
  uint64_t HeaderLen = Major == 1
                           ? llvm::support::endian::read16le(Prefix.data() + 8)
                           : llvm::support::endian::read32le(Prefix.data() + 8);
  uint64_t DataBegin = 8 + LenSize + HeaderLen;
  if (DataBegin > FileSize)
    return Fail("truncated .npy file: the header claims " +
                llvm::Twine(HeaderLen) + " bytes but only " +
                llvm::Twine(FileSize - 8 - LenSize) + " follow");

  NpyHeader Header;
  std::string Err =
      HeaderParser(Prefix.slice(8 + LenSize, DataBegin)).parse(Header);
  if (!Err.empty())
    return Fail("malformed .npy header: " + Err);

  if (Header.FortranOrder)
    return Fail("fortran_order=True is not supported; save a C-order array "
                "(numpy.ascontiguousarray)");
  std::optional<DType> Type = parseNpyDescr(Header.Descr);
  if (!Type)
    return Fail(explainDescr(Header.Descr));

  // Validate the claimed size against the file before allocating anything.
  std::optional<uint64_t> Size = getCheckedByteSize(*Type, Header.Shape);
  if (!Size)
    return Fail("shape " + formatShape(Header.Shape) + " with dtype '" +
                Header.Descr + "' is too large (byte size overflows)");
  uint64_t Available = FileSize - DataBegin;
  if (*Size > Available)
    return Fail("truncated .npy file: shape " + formatShape(Header.Shape) +
                " with dtype '" + Header.Descr + "' needs " +
                llvm::Twine(*Size) + " data bytes but only " +
                llvm::Twine(Available) + " follow the header");
  // Strict: trailing bytes mean the file is not what the header says.
  if (*Size < Available)
    return Fail(llvm::Twine(Available - *Size) +
                " unexpected trailing bytes after the array data (shape " +
                formatShape(Header.Shape) + " with dtype '" + Header.Descr +
                "' needs " + llvm::Twine(*Size) + ")");
  if (llvm::Error E = checkAllocation(*Size))
    return Fail("shape " + formatShape(Header.Shape) + " with dtype '" +
                Header.Descr + "' " + llvm::toString(std::move(E)));
  return NpyLayout{*Type, std::move(Header.Shape), DataBegin, *Size};
}

llvm::Expected<Tensor> dq::parseNpy(llvm::StringRef Bytes,
                                    llvm::StringRef Name) {
  llvm::Expected<NpyLayout> Layout = checkNpyLayout(Bytes, Bytes.size(), Name);
  if (!Layout)
    return Layout.takeError();
  Tensor T;
  T.Type = Layout->Type;
  T.Shape = std::move(Layout->Shape);
  const uint8_t *Data =
      reinterpret_cast<const uint8_t *>(Bytes.data() + Layout->DataBegin);
  T.Data.assign(Data, Data + Layout->DataSize);
  return T;
}

llvm::Expected<Tensor> dq::readNpyFile(llvm::StringRef Path) {
  // The header is read and checked first; the data is then read straight
  // into the tensor (no mapping or copy of the whole file).
  llvm::Expected<InputFile> File = InputFile::open(Path);
  if (!File)
    return File.takeError();
  uint64_t FileSize = File->getSize();
  std::string Prefix(std::min<uint64_t>(FileSize, 12), '\0');
  if (llvm::Error E = File->read(Prefix, 0))
    return std::move(E);
  // Read the whole header when the file holds it (its length is checked
  // against the file size before anything that large is allocated).
  uint64_t HeaderEnd = getNpyHeaderEnd(Prefix);
  if (HeaderEnd > Prefix.size() && HeaderEnd <= FileSize) {
    size_t Old = Prefix.size();
    Prefix.resize(HeaderEnd);
    if (llvm::Error E = File->read(
            llvm::MutableArrayRef<char>(Prefix).drop_front(Old), Old))
      return std::move(E);
  }
  llvm::Expected<NpyLayout> Layout = checkNpyLayout(Prefix, FileSize, Path);
  if (!Layout)
    return Layout.takeError();
  Tensor T;
  T.Type = Layout->Type;
  T.Shape = std::move(Layout->Shape);
  T.Data.resize(Layout->DataSize);
  if (llvm::Error E = File->read(
          llvm::MutableArrayRef<char>(reinterpret_cast<char *>(T.Data.data()),
                                      T.Data.size()),
          Layout->DataBegin))
    return std::move(E);
  return T;
}

llvm::Error dq::checkNpyWritable(const Tensor &T) {
  if (llvm::Error E = T.verify())
    return E;
  if (!getNpyDescr(T.Type))
    return llvm::createStringError(
        "dtype " + getDTypeName(T.Type) +
        " has no .npy equivalent; write it to a .safetensors file instead");
  return llvm::Error::success();
}

llvm::Error dq::writeNpy(llvm::raw_ostream &OS, const Tensor &T) {
  if (llvm::Error E = checkNpyWritable(T))
    return E;
  // The same text numpy.save writes, so the files are byte-identical.
  std::string Dict = "{'descr': '" + getNpyDescr(T.Type)->str() +
                     "', 'fortran_order': False, 'shape': (";
  for (int64_t Dim : T.Shape)
    Dict += std::to_string(Dim) + (T.Shape.size() == 1 ? "," : ", ");
  if (T.Shape.size() > 1)
    Dict.resize(Dict.size() - 2);
  Dict += "), }";
  // Pad with spaces so that magic + version + length + header + '\n' is a
  // multiple of 64, which aligns the data.
  size_t LenSize = 2;
  if (10 + Dict.size() + 1 > 65535 + 10)
    LenSize = 4;
  size_t Total = 8 + LenSize + Dict.size() + 1;
  Dict.append((64 - Total % 64) % 64, ' ');
  Dict += '\n';

  OS << kMagic;
  char Len[4];
  if (LenSize == 2) {
    OS << '\x01' << '\x00';
    llvm::support::endian::write16le(Len, static_cast<uint16_t>(Dict.size()));
  } else {
    OS << '\x02' << '\x00';
    llvm::support::endian::write32le(Len, static_cast<uint32_t>(Dict.size()));
  }
  OS.write(Len, LenSize);
  OS << Dict;
  OS.write(reinterpret_cast<const char *>(T.Data.data()), T.Data.size());
  return llvm::Error::success();
}

llvm::Error dq::writeNpyFile(llvm::StringRef Path, const Tensor &T) {
  // Validate first so that a refused tensor creates no file at all.
  if (llvm::Error E = checkNpyWritable(T))
    return llvm::createStringError("cannot write '" + Path +
                                   "': " + llvm::toString(std::move(E)));
  return writeFileAtomically(
      Path, [&](llvm::raw_ostream &OS) { return writeNpy(OS, T); });
}
