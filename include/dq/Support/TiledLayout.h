//===- TiledLayout.h - The n16k4 CPU storage layout -------------*- C++ -*-===//
//
// The n16k4 layout (docs/decoupled-format.md) puts sixteen rows of a weight
// side by side so that one 64-byte load gives a 32-bit word per row, and
// each byte of a word holds four columns' fields in order: the CPU kernels
// then unpack with whole-vector shifts and masks and feed both f32 FMAs and
// int8 dot-product instructions (vpdpbusd) without shuffles. Plain C++,
// shared by the compiler, the tests and #dq_cpu.n16k4
// (lib/Conversion/DQToCPU/CPULayout.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef DQ_SUPPORT_TILEDLAYOUT_H
#define DQ_SUPPORT_TILEDLAYOUT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace dq {

/// Sizes of one weight in the n16k4 layout.
struct N16K4Geometry {
  /// Rows per tile: one 32-bit lane of a 512-bit vector each.
  static constexpr int64_t TileRows = 16;

  int64_t Rows = 0, Cols = 0, Group = 0;
  unsigned Bits = 0;

  N16K4Geometry(int64_t Rows, int64_t Cols, unsigned Bits, int64_t Group)
      : Rows(Rows), Cols(Cols), Group(Group), Bits(Bits) {}

  /// Columns per chunk: the columns one 64-byte plane holds (16 rows x 32
  /// bits), 4 per byte lane at 2 bits, 2 at 4 bits, 1 at 8 bits; at 3 bits a
  /// chunk is three planes (two 2-bit planes and one 1-bit plane).
  int64_t chunkCols() const {
    switch (Bits) {
    case 2:
      return 16;
    case 3:
      return 32;
    case 4:
      return 8;
    default:
      return 4;
    }
  }
  int64_t chunkBytes() const { return TileRows * chunkCols() * Bits / 8; }
  /// A group's columns rounded up to whole chunks.
  int64_t paddedGroup() const {
    return (Group + chunkCols() - 1) / chunkCols() * chunkCols();
  }
  int64_t numGroups() const { return Cols / Group; }
  int64_t numTiles() const { return (Rows + TileRows - 1) / TileRows; }
  int64_t chunksPerGroup() const { return paddedGroup() / chunkCols(); }
  int64_t groupBytes() const { return chunksPerGroup() * chunkBytes(); }
  int64_t tileBytes() const { return numGroups() * groupBytes(); }
  /// The value stored for Q: offset binary, u = Q + 2^(Bits-1).
  int bias() const { return 1 << (Bits - 1); }
};

/// Packs Q (Rows x Cols, row-major, signed) into the n16k4 layout; Out must
/// hold numTiles() * tileBytes() bytes. Fails on values out of range and
/// on size mismatches.
llvm::Error packN16K4(llvm::ArrayRef<int8_t> Q, const N16K4Geometry &Geo,
                      llvm::MutableArrayRef<uint8_t> Out);

/// Inverse of packN16K4 (padding is ignored).
llvm::Error unpackN16K4(llvm::ArrayRef<uint8_t> Packed,
                        const N16K4Geometry &Geo,
                        llvm::MutableArrayRef<int8_t> Out);

/// Rearranges per-(row, group) values of ElemBytes bytes each from [Rows,
/// Groups] to the n16k4 order [Tiles, Groups, 16], zero-filling rows past
/// Rows. Out must hold numTiles() * numGroups() * 16 * ElemBytes bytes.
llvm::Error tileGroupParams(llvm::ArrayRef<uint8_t> In, int64_t ElemBytes,
                            const N16K4Geometry &Geo,
                            llvm::MutableArrayRef<uint8_t> Out);

} // namespace dq

#endif // DQ_SUPPORT_TILEDLAYOUT_H
