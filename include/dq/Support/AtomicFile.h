//===- AtomicFile.h - Write a file all-or-nothing ---------------*- C++ -*-===//
//
// Output files are written to a temporary file next to the target and renamed
// over it only when everything succeeded, so a reader never sees a partial
// file and a failed write leaves an existing target untouched. On Linux the
// temporary file has no name until it is complete (O_TMPFILE), so that even
// a process killed by SIGKILL leaves no partial or temporary file behind.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_SUPPORT_ATOMICFILE_H
#define DQ_SUPPORT_ATOMICFILE_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace dq {

/// Creates a temporary file in the directory of Path (unnamed where the file
/// system allows, else "<Path>.tmp-XXXXXX"), lets Write fill it, flushes and
/// fsyncs it, names it "<Path>.tmp-XXXXXX" and renames it over Path. If Write
/// returns an error, or writing, flushing, syncing or renaming fails, the
/// temporary file is removed and Path is left as it was. Errors of Write are
/// returned as they are; I/O errors name Path.
llvm::Error
writeFileAtomically(llvm::StringRef Path,
                    llvm::function_ref<llvm::Error(llvm::raw_ostream &)> Write);

} // namespace dq

#endif // DQ_SUPPORT_ATOMICFILE_H
