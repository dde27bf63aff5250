//===- AtomicFile.cpp - Write a file all-or-nothing -----------------------===//

#include "dq/Support/AtomicFile.h"

#include "llvm/Support/FileSystem.h"

#ifndef _WIN32
#include <unistd.h>
#endif

using namespace dq;

llvm::Error dq::writeFileAtomically(
    llvm::StringRef Path,
    llvm::function_ref<llvm::Error(llvm::raw_ostream &)> Write) {
  auto IOError = [&](const llvm::Twine &What, llvm::Error Cause) {
    return llvm::createStringError("cannot write '" + Path + "': " + What +
                                   ": " + llvm::toString(std::move(Cause)));
  };

  // Same directory as the target so that the final rename stays within one
  // file system and is atomic.
  llvm::Expected<llvm::sys::fs::TempFile> Temp =
      llvm::sys::fs::TempFile::create(Path + ".tmp-%%%%%%");
  if (!Temp)
    return IOError("cannot create a temporary file", Temp.takeError());

  auto Discard = [&](llvm::Error E) {
    // Report the original failure; a failed cleanup is secondary.
    if (llvm::Error DiscardErr = Temp->discard())
      return llvm::joinErrors(std::move(E), std::move(DiscardErr));
    return E;
  };

  {
    llvm::raw_fd_ostream OS(Temp->FD, /*shouldClose=*/false);
    if (llvm::Error E = Write(OS)) {
      OS.flush();
      OS.clear_error();
      return Discard(std::move(E));
    }
    OS.flush();
    if (std::error_code EC = OS.error()) {
      OS.clear_error();
      return Discard(IOError("write failed", llvm::errorCodeToError(EC)));
    }
  }
#ifndef _WIN32
  // Make the contents durable before the rename publishes them.
  if (::fsync(Temp->FD) != 0)
    return Discard(
        IOError("fsync failed", llvm::errorCodeToError(std::error_code(
                                    errno, std::generic_category()))));
#endif
  // keep() without a name only closes the file and stops the cleanup on
  // signals; we rename ourselves because keep(Name) falls back to a
  // non-atomic copy when the rename fails.
  std::string TmpName = Temp->TmpName;
  if (llvm::Error E = Temp->keep()) {
    llvm::sys::fs::remove(TmpName);
    return IOError("cannot close the temporary file", std::move(E));
  }
  if (std::error_code EC = llvm::sys::fs::rename(TmpName, Path)) {
    llvm::sys::fs::remove(TmpName);
    return IOError("cannot rename '" + TmpName + "' over it",
                   llvm::errorCodeToError(EC));
  }
  return llvm::Error::success();
}
