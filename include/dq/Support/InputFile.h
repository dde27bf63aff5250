//===- InputFile.h - A file read piece by piece -----------------*- C++ -*-===//
//
// The tensor-file readers read a header, check it against the file size,
// and only then read the data they need, straight into its destination: no
// mapping of the whole file (whose pages would stay resident) and no copy.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_SUPPORT_INPUTFILE_H
#define DQ_SUPPORT_INPUTFILE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"

#include <cstdint>
#include <string>

namespace dq {

/// An open regular file (or anything but a directory) and its size; closed
/// on destruction. Errors name the path: "<Path>: cannot open: <reason>".
class InputFile {
public:
  static llvm::Expected<InputFile> open(llvm::StringRef Path);

  InputFile(InputFile &&Other);
  InputFile &operator=(InputFile &&Other);
  InputFile(const InputFile &) = delete;
  InputFile &operator=(const InputFile &) = delete;
  ~InputFile();

  uint64_t getSize() const { return Size; }
  llvm::StringRef getPath() const { return Path; }

  /// Reads exactly Out.size() bytes at Offset; an error if the file ends
  /// first (it changed since it was opened) or the read fails.
  llvm::Error read(llvm::MutableArrayRef<char> Out, uint64_t Offset) const;

private:
  InputFile(llvm::sys::fs::file_t FD, uint64_t Size, std::string Path)
      : FD(FD), Size(Size), Path(std::move(Path)) {}
  llvm::sys::fs::file_t FD;
  uint64_t Size;
  std::string Path;
  bool Open = true;
};

} // namespace dq

#endif // DQ_SUPPORT_INPUTFILE_H
