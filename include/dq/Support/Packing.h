//===- Packing.h - Low-bit integers packed into bytes -----------*- C++ -*-===//
//
// The row_major storage of a weight's integer part (docs/decoupled-format.md):
// row n of Q[N, K] occupies ceil(K * Bits / 8) bytes; element k is the
// two's-complement Bits-bit field at bit offset k * Bits of the row's
// little-endian bit stream. Padding bits at the end of a row are zero.
// Plain C++, shared by the compiler, the quantizer and the tests.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_SUPPORT_PACKING_H
#define DQ_SUPPORT_PACKING_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace dq {

/// True for the bit widths of the integer part: 2, 3, 4 and 8.
bool isSupportedPackingBits(unsigned Bits);

/// Smallest and largest signed Bits-bit value: [-2^(Bits-1), 2^(Bits-1)-1].
int minSignedValue(unsigned Bits);
int maxSignedValue(unsigned Bits);

/// Checks what every packed layout needs: a supported bit width, a positive
/// shape, and a group size dividing Cols.
llvm::Error checkPackedShape(int64_t Rows, int64_t Cols, unsigned Bits,
                             int64_t Group);

/// Fails, naming the element [Row, Col], when V does not fit in Bits signed
/// bits; every packer checks its input with it.
llvm::Error checkFieldValue(int V, unsigned Bits, int64_t Row, int64_t Col);

/// Bytes of one packed row of Cols elements.
int64_t getPackedRowBytes(int64_t Cols, unsigned Bits);

/// Packs Q (Rows x Cols, row-major, signed values) into Out, which must hold
/// Rows * getPackedRowBytes(Cols, Bits) bytes. Fails, naming the element,
/// when a value does not fit in Bits signed bits, and on size mismatches.
llvm::Error packRowMajor(llvm::ArrayRef<int8_t> Q, int64_t Rows, int64_t Cols,
                         unsigned Bits, llvm::MutableArrayRef<uint8_t> Out);

/// Inverse of packRowMajor. Fails on size mismatches and on non-zero padding
/// bits (a sign that the data was packed with another width or layout).
llvm::Error unpackRowMajor(llvm::ArrayRef<uint8_t> Packed, int64_t Rows,
                           int64_t Cols, unsigned Bits,
                           llvm::MutableArrayRef<int8_t> Out);

} // namespace dq

#endif // DQ_SUPPORT_PACKING_H
