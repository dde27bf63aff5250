//===- Npy.h - Strict .npy reader and writer --------------------*- C++ -*-===//
//
// numpy's .npy format, versions 1.0, 2.0 and 3.0: magic "\x93NUMPY", version,
// little-endian header length, a Python dict literal with exactly the keys
// 'descr', 'fortran_order' and 'shape', then the raw array bytes.
// See docs/tensor-files.md for what is accepted and rejected.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_SUPPORT_NPY_H
#define DQ_SUPPORT_NPY_H

#include "dq/Support/Tensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace dq {

/// Reads and validates a whole .npy file. Errors start with "<Path>: ".
llvm::Expected<Tensor> readNpyFile(llvm::StringRef Path);

/// Parses the bytes of a .npy file; Name (usually the path) prefixes every
/// error message. Everything is validated before the data is copied.
llvm::Expected<Tensor> parseNpy(llvm::StringRef Bytes, llvm::StringRef Name);

/// Checks that T can be stored as .npy (valid, and a dtype numpy knows: BF16
/// is rejected with a hint to use safetensors).
llvm::Error checkNpyWritable(const Tensor &T);

/// Writes T as a version 1.0 .npy (2.0 only if the header would not fit),
/// byte-identical to numpy.save for the same array.
llvm::Error writeNpy(llvm::raw_ostream &OS, const Tensor &T);

/// Writes T to Path atomically (see writeFileAtomically). Nothing is
/// created when T cannot be stored as .npy.
llvm::Error writeNpyFile(llvm::StringRef Path, const Tensor &T);

} // namespace dq

#endif // DQ_SUPPORT_NPY_H
