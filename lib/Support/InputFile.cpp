//===- InputFile.cpp - A file read piece by piece -------------------------===//

#include "dq/Support/InputFile.h"

using namespace dq;

llvm::Expected<InputFile> InputFile::open(llvm::StringRef Path) {
  llvm::Expected<llvm::sys::fs::file_t> FD =
      llvm::sys::fs::openNativeFileForRead(Path);
  if (!FD)
    return llvm::createStringError(
        Path + ": cannot open: " + llvm::toString(FD.takeError()));
  InputFile File(*FD, 0, Path.str());
  llvm::sys::fs::file_status Status;
  if (std::error_code EC = llvm::sys::fs::status(*FD, Status))
    return llvm::createStringError(Path + ": cannot open: " + EC.message());
  if (Status.type() == llvm::sys::fs::file_type::directory_file)
    return llvm::createStringError(Path + ": cannot open: Is a directory");
  File.Size = Status.getSize();
  return std::move(File);
}

InputFile::InputFile(InputFile &&Other)
    : FD(Other.FD), Size(Other.Size), Path(std::move(Other.Path)),
      Open(Other.Open) {
  Other.Open = false;
}

InputFile &InputFile::operator=(InputFile &&Other) {
  if (this != &Other) {
    if (Open)
      llvm::sys::fs::closeFile(FD);
    FD = Other.FD;
    Size = Other.Size;
    Path = std::move(Other.Path);
    Open = Other.Open;
    Other.Open = false;
  }
  return *this;
}

InputFile::~InputFile() {
  if (Open)
    llvm::sys::fs::closeFile(FD);
}

llvm::Error InputFile::read(llvm::MutableArrayRef<char> Out,
                            uint64_t Offset) const {
  while (!Out.empty()) {
    llvm::Expected<size_t> Got =
        llvm::sys::fs::readNativeFileSlice(FD, Out, Offset);
    if (!Got)
      return llvm::createStringError(
          Path + ": read failed: " + llvm::toString(Got.takeError()));
    if (*Got == 0)
      return llvm::createStringError(
          Path + ": the file ended early (did it change while being read?)");
    Out = Out.drop_front(*Got);
    Offset += *Got;
  }
  return llvm::Error::success();
}
