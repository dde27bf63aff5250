//===- GPULayout.h - The gpu_chunked GPU storage layout ---------*- C++ -*-===//
//
// The gpu_chunked layout (docs/decoupled-format.md) keeps a weight's rows in
// order and cuts each group of columns into chunks of four 32-bit words
// (three at 3 bits): one GPU lane reads a chunk with one 16-byte load, the
// lanes of a warp read consecutive chunks of a row (coalesced), and every
// field is reached with a constant shift and a mask. Fields are offset
// binary, so a field ORed into the exponent pattern of 2^23 is a float
// without a conversion instruction. Plain C++, shared by the compiler, the
// tests and #dq_gpu.chunked (lib/Conversion/DQToGPU/GPULayout.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef DQ_SUPPORT_GPULAYOUT_H
#define DQ_SUPPORT_GPULAYOUT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace dq {

/// Sizes of one weight in the gpu_chunked layout.
struct GPUChunkedGeometry {
  int64_t Rows = 0, Cols = 0, Group = 0;
  unsigned Bits = 0;

  GPUChunkedGeometry(int64_t Rows, int64_t Cols, unsigned Bits, int64_t Group)
      : Rows(Rows), Cols(Cols), Group(Group), Bits(Bits) {}

  /// 32-bit words per chunk: 4 (one 16-byte load), 3 at 3 bits.
  int64_t chunkWords() const { return Bits == 3 ? 3 : 4; }
  int64_t chunkBytes() const { return 4 * chunkWords(); }
  /// Columns per chunk: 64, 32, 32 and 16 at 2, 3, 4 and 8 bits.
  int64_t chunkCols() const { return Bits == 3 ? 32 : 128 / Bits; }
  /// Fields per word (2, 4 and 8 bits): 32 / Bits.
  int64_t fieldsPerWord() const { return 32 / (Bits == 3 ? 2 : Bits); }
  /// A group's columns rounded up to whole chunks.
  int64_t paddedGroup() const {
    return (Group + chunkCols() - 1) / chunkCols() * chunkCols();
  }
  int64_t numGroups() const { return Cols / Group; }
  int64_t chunksPerGroup() const { return paddedGroup() / chunkCols(); }
  int64_t chunksPerRow() const { return numGroups() * chunksPerGroup(); }
  /// Columns of a row including the group padding (the kernels' K).
  int64_t paddedCols() const { return numGroups() * paddedGroup(); }
  int64_t rowBytes() const { return chunksPerRow() * chunkBytes(); }
  int64_t rowWords() const { return chunksPerRow() * chunkWords(); }
  /// The value stored for Q: offset binary, u = Q + 2^(Bits-1).
  int bias() const { return 1 << (Bits - 1); }
};

/// Where column E (0 <= E < chunkCols()) of a chunk lives: the low field
/// (the whole field, or the low two bits at 3 bits) and, at 3 bits, bit 2.
struct GPUChunkField {
  unsigned Word, Shift;
  unsigned HighWord = 0, HighShift = 0;
  bool HasHigh = false;
};
GPUChunkField locateGPUChunkField(unsigned Bits, int64_t E);

/// Packs Q (Rows x Cols, row-major, signed) into the gpu_chunked layout;
/// Out must hold Rows * rowBytes() bytes. Fails on values out of range and
/// on size mismatches.
llvm::Error packGPUChunked(llvm::ArrayRef<int8_t> Q,
                           const GPUChunkedGeometry &Geo,
                           llvm::MutableArrayRef<uint8_t> Out);

/// Inverse of packGPUChunked (padding is ignored).
llvm::Error unpackGPUChunked(llvm::ArrayRef<uint8_t> Packed,
                             const GPUChunkedGeometry &Geo,
                             llvm::MutableArrayRef<int8_t> Out);

} // namespace dq

#endif // DQ_SUPPORT_GPULAYOUT_H
