//===- AtomicFile.cpp - Write a file all-or-nothing -----------------------===//
//
// On Linux the data goes to an unnamed file (O_TMPFILE) in the target's
// directory, which gets a name only once it is complete: a process killed
// part-way, even by SIGKILL, leaves nothing behind. Elsewhere, or where the
// file system has no O_TMPFILE, a named "<Path>.tmp-XXXXXX" is used, which
// is removed on errors and on the signals LLVM handles (SIGINT, SIGTERM, ...)
// but not on SIGKILL.
//
//===----------------------------------------------------------------------===//

#include "dq/Support/AtomicFile.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#ifndef _WIN32
#include <fcntl.h>
#include <unistd.h>
#endif

#include <optional>
#include <string>

using namespace dq;

namespace {

/// Error for an I/O step that failed while writing Path.
llvm::Error ioError(llvm::StringRef Path, const llvm::Twine &What,
                    llvm::Error Cause) {
  return llvm::createStringError("cannot write '" + Path + "': " + What + ": " +
                                 llvm::toString(std::move(Cause)));
}

llvm::Error errnoError(int Errno) {
  return llvm::errorCodeToError(
      std::error_code(Errno, std::generic_category()));
}

/// Runs Write on FD and makes the result durable. On error the caller
/// removes whatever FD names.
llvm::Error
fillFile(int FD, llvm::StringRef Path,
         llvm::function_ref<llvm::Error(llvm::raw_ostream &)> Write) {
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/false);
    if (llvm::Error E = Write(OS)) {
      OS.flush();
      OS.clear_error();
      return E;
    }
    OS.flush();
    if (std::error_code EC = OS.error()) {
      OS.clear_error();
      return ioError(Path, "write failed", llvm::errorCodeToError(EC));
    }
  }
#ifndef _WIN32
  // Make the contents durable before the rename publishes them.
  if (::fsync(FD) != 0)
    return ioError(Path, "fsync failed", errnoError(errno));
#endif
  return llvm::Error::success();
}

/// Renames TmpName over Path, removing TmpName when that fails.
llvm::Error publish(llvm::StringRef TmpName, llvm::StringRef Path) {
  if (std::error_code EC = llvm::sys::fs::rename(TmpName, Path)) {
    llvm::sys::fs::remove(TmpName);
    return ioError(Path, "cannot rename '" + TmpName + "' over it",
                   llvm::errorCodeToError(EC));
  }
  return llvm::Error::success();
}

#if defined(__linux__) && defined(O_TMPFILE)
/// The O_TMPFILE path. Returns std::nullopt when the file system (or /proc,
/// needed to give the file a name) does not support it, before anything was
/// written, so that the caller falls back to a named temporary file.
std::optional<llvm::Error>
writeUnnamed(llvm::StringRef Path,
             llvm::function_ref<llvm::Error(llvm::raw_ostream &)> Write) {
  if (::access("/proc/self/fd", X_OK) != 0)
    return std::nullopt;
  llvm::SmallString<256> Dir(Path);
  llvm::sys::path::remove_filename(Dir);
  if (Dir.empty())
    Dir = ".";
  int FD = ::open(Dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  if (FD < 0) {
    int Errno = errno;
    if (Errno == EOPNOTSUPP || Errno == EISDIR || Errno == EINVAL)
      return std::nullopt;
    return ioError(Path, "cannot create a temporary file", errnoError(Errno));
  }
  llvm::scope_exit Close([&] { ::close(FD); });
  if (llvm::Error E = fillFile(FD, Path, Write))
    return std::move(E); // The unnamed file disappears with FD.

  // Name it next to the target, then rename it over the target (linkat
  // cannot replace an existing file).
  std::string Proc = "/proc/self/fd/" + std::to_string(FD);
  llvm::SmallString<256> TmpName;
  for (unsigned Attempt = 0;; ++Attempt) {
    llvm::sys::fs::createUniquePath(Path + ".tmp-%%%%%%", TmpName,
                                    /*MakeAbsolute=*/false);
    if (::linkat(AT_FDCWD, Proc.c_str(), AT_FDCWD, TmpName.c_str(),
                 AT_SYMLINK_FOLLOW) == 0)
      break;
    if (errno != EEXIST || Attempt == 128)
      return ioError(Path, "cannot name the temporary file", errnoError(errno));
  }
  return publish(TmpName, Path);
}
#endif

} // namespace

llvm::Error dq::writeFileAtomically(
    llvm::StringRef Path,
    llvm::function_ref<llvm::Error(llvm::raw_ostream &)> Write) {
#if defined(__linux__) && defined(O_TMPFILE)
  if (std::optional<llvm::Error> Result = writeUnnamed(Path, Write))
    return std::move(*Result);
#endif

  // Same directory as the target so that the final rename stays within one
  // file system and is atomic.
  llvm::Expected<llvm::sys::fs::TempFile> Temp =
      llvm::sys::fs::TempFile::create(Path + ".tmp-%%%%%%");
  if (!Temp)
    return ioError(Path, "cannot create a temporary file", Temp.takeError());

  if (llvm::Error E = fillFile(Temp->FD, Path, Write)) {
    // Report the original failure; a failed cleanup is secondary.
    if (llvm::Error DiscardErr = Temp->discard())
      return llvm::joinErrors(std::move(E), std::move(DiscardErr));
    return E;
  }
  // keep() without a name only closes the file and stops the cleanup on
  // signals; we rename ourselves because keep(Name) falls back to a
  // non-atomic copy when the rename fails.
  std::string TmpName = Temp->TmpName;
  if (llvm::Error E = Temp->keep()) {
    llvm::sys::fs::remove(TmpName);
    return ioError(Path, "cannot close the temporary file", std::move(E));
  }
  return publish(TmpName, Path);
}
