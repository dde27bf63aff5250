//===- Safetensors.h - Strict safetensors reader and writer -----*- C++ -*-===//
//
// The safetensors format: an 8-byte little-endian header length N, N bytes of
// UTF-8 JSON mapping tensor names to {"dtype", "shape", "data_offsets"} (plus
// an optional "__metadata__" object of string values), then the data buffer.
// Offsets are relative to the start of the buffer.
//
// The reader is strict: it validates the whole header against the file size
// when the file is opened (known dtypes, shapes whose byte size matches the
// offsets, every byte of the buffer belonging to exactly one tensor) so that
// a truncated or forged file is refused before anything is allocated. Tensor
// data is read lazily, one tensor at a time, with plain reads from the open
// file: reading a large file tensor by tensor keeps only the current tensor
// in memory (a memory-mapped file would keep every page read so far
// resident, so memory would grow with the number of tensors read).
//
//===----------------------------------------------------------------------===//

#ifndef DQ_SUPPORT_SAFETENSORS_H
#define DQ_SUPPORT_SAFETENSORS_H

#include "dq/Support/InputFile.h"
#include "dq/Support/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dq {

/// Largest JSON header accepted (the reference implementation's limit).
constexpr uint64_t kMaxSafetensorsHeaderBytes = 100 * 1024 * 1024;

struct NamedTensor {
  std::string Name;
  Tensor Value;
};

class SafetensorsReader {
public:
  /// Opens and validates Path. Errors start with "<Path>: ".
  static llvm::Expected<SafetensorsReader> open(llvm::StringRef Path);

  /// Validates an in-memory file; Name prefixes every error message.
  static llvm::Expected<SafetensorsReader>
  parse(std::unique_ptr<llvm::MemoryBuffer> Buffer, llvm::StringRef Name);

  /// Tensor names, sorted.
  llvm::ArrayRef<std::string> getNames() const { return Names; }
  const std::map<std::string, std::string> &getMetadata() const {
    return Metadata;
  }
  bool contains(llvm::StringRef Name) const;
  llvm::Expected<DType> getType(llvm::StringRef Name) const;
  llvm::Expected<std::vector<int64_t>> getShape(llvm::StringRef Name) const;

  /// Copies one tensor out of the file. An unknown name is an error that
  /// lists the names present.
  llvm::Expected<Tensor> read(llvm::StringRef Name) const;

private:
  struct Entry {
    DType Type;
    std::vector<int64_t> Shape;
    uint64_t Begin, End; // Absolute file offsets.
  };
  llvm::Error unknownName(llvm::StringRef Name) const;
  /// Checks the JSON header (HeaderText, of a file of FileSize bytes) and
  /// fills Entries, Names and Metadata; errors start with "<Name>: ".
  static llvm::Expected<SafetensorsReader>
  parseHeader(llvm::StringRef HeaderText, uint64_t FileSize,
              llvm::StringRef Name);

  std::string FileName;
  /// Where the data is: the whole file in memory (parse()), or the open
  /// file (open()).
  std::unique_ptr<llvm::MemoryBuffer> Buffer;
  std::unique_ptr<InputFile> File;
  std::map<std::string, Entry, std::less<>> Entries;
  std::vector<std::string> Names;
  std::map<std::string, std::string> Metadata;
};

/// Writes the tensors, in the given order, with the metadata. Fails without
/// writing when a tensor is invalid or a name is empty, duplicated or
/// "__metadata__".
llvm::Error
writeSafetensors(llvm::raw_ostream &OS, llvm::ArrayRef<NamedTensor> Tensors,
                 const std::map<std::string, std::string> &Metadata = {});

/// Writes Path atomically (see writeFileAtomically).
llvm::Error
writeSafetensorsFile(llvm::StringRef Path, llvm::ArrayRef<NamedTensor> Tensors,
                     const std::map<std::string, std::string> &Metadata = {});

} // namespace dq

#endif // DQ_SUPPORT_SAFETENSORS_H
