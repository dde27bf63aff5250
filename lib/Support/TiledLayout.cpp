//===- TiledLayout.cpp - The n16k4 CPU storage layout ---------------------===//

#include "dq/Support/TiledLayout.h"
#include "dq/Support/Packing.h"

#include <cstring>

using namespace dq;

namespace {
/// Where one field of one element lives: byte offset and bit shift.
struct FieldPos {
  int64_t Byte;
  unsigned Shift;
};

/// The bytes of element (Row, Col) of the logical weight: one field, or at
/// 3 bits the low two bits (first) and bit 2 (second). Col is a logical
/// column; the group padding is accounted for here.
struct ElementPos {
  FieldPos Low, High;
  bool HasHigh = false;
};

ElementPos locate(const N16K4Geometry &Geo, int64_t Row, int64_t Col) {
  int64_t Tile = Row / N16K4Geometry::TileRows;
  int64_t Lane = Row % N16K4Geometry::TileRows;
  int64_t Group = Col / Geo.Group;
  int64_t InGroup = Col % Geo.Group;
  int64_t Chunk = InGroup / Geo.chunkCols();
  int64_t E = InGroup % Geo.chunkCols();
  int64_t Base = Tile * Geo.tileBytes() + Group * Geo.groupBytes() +
                 Chunk * Geo.chunkBytes();
  ElementPos P;
  if (Geo.Bits != 3) {
    P.Low = {Base + 4 * Lane + E % 4, unsigned(Geo.Bits * (E / 4))};
    return P;
  }
  // 3 bits: two 2-bit planes (columns 0-15, 16-31), then the bit-2 plane.
  int64_t Plane = E / 16, E2 = E % 16;
  P.Low = {Base + 64 * Plane + 4 * Lane + E2 % 4, unsigned(2 * (E2 / 4))};
  P.High = {Base + 128 + 4 * Lane + E % 4, unsigned(E / 4)};
  P.HasHigh = true;
  return P;
}

llvm::Error checkGeometry(const N16K4Geometry &Geo) {
  return checkPackedShape(Geo.Rows, Geo.Cols, Geo.Bits, Geo.Group);
}

llvm::Error checkBytes(size_t Have, int64_t Want, llvm::StringRef What) {
  if (Have == uint64_t(Want))
    return llvm::Error::success();
  return llvm::createStringError(What + " has " + llvm::Twine(Have) +
                                 " bytes; the n16k4 layout needs " +
                                 llvm::Twine(Want));
}
} // namespace

llvm::Error dq::packN16K4(llvm::ArrayRef<int8_t> Q, const N16K4Geometry &Geo,
                          llvm::MutableArrayRef<uint8_t> Out) {
  if (llvm::Error E = checkGeometry(Geo))
    return E;
  if (Q.size() != uint64_t(Geo.Rows * Geo.Cols))
    return llvm::createStringError("integer part has " + llvm::Twine(Q.size()) +
                                   " elements; [" + llvm::Twine(Geo.Rows) +
                                   ", " + llvm::Twine(Geo.Cols) + "] needs " +
                                   llvm::Twine(Geo.Rows * Geo.Cols));
  if (llvm::Error E = checkBytes(Out.size(), Geo.numTiles() * Geo.tileBytes(),
                                 "packed output"))
    return E;
  std::fill(Out.begin(), Out.end(), 0);
  unsigned LowMask = Geo.Bits == 3 ? 3u : (1u << Geo.Bits) - 1;
  for (int64_t R = 0; R < Geo.Rows; ++R)
    for (int64_t C = 0; C < Geo.Cols; ++C) {
      int V = Q[R * Geo.Cols + C];
      if (llvm::Error E = checkFieldValue(V, Geo.Bits, R, C))
        return E;
      unsigned U = unsigned(V + Geo.bias());
      ElementPos P = locate(Geo, R, C);
      Out[P.Low.Byte] |= uint8_t((U & LowMask) << P.Low.Shift);
      if (P.HasHigh)
        Out[P.High.Byte] |= uint8_t((U >> 2) << P.High.Shift);
    }
  return llvm::Error::success();
}

llvm::Error dq::unpackN16K4(llvm::ArrayRef<uint8_t> Packed,
                            const N16K4Geometry &Geo,
                            llvm::MutableArrayRef<int8_t> Out) {
  if (llvm::Error E = checkGeometry(Geo))
    return E;
  if (Out.size() != uint64_t(Geo.Rows * Geo.Cols))
    return llvm::createStringError("output has " + llvm::Twine(Out.size()) +
                                   " elements; [" + llvm::Twine(Geo.Rows) +
                                   ", " + llvm::Twine(Geo.Cols) + "] needs " +
                                   llvm::Twine(Geo.Rows * Geo.Cols));
  if (llvm::Error E = checkBytes(
          Packed.size(), Geo.numTiles() * Geo.tileBytes(), "packed data"))
    return E;
  unsigned LowMask = Geo.Bits == 3 ? 3u : (1u << Geo.Bits) - 1;
  for (int64_t R = 0; R < Geo.Rows; ++R)
    for (int64_t C = 0; C < Geo.Cols; ++C) {
      ElementPos P = locate(Geo, R, C);
      unsigned U = (Packed[P.Low.Byte] >> P.Low.Shift) & LowMask;
      if (P.HasHigh)
        U |= ((Packed[P.High.Byte] >> P.High.Shift) & 1u) << 2;
      Out[R * Geo.Cols + C] = int8_t(int(U) - Geo.bias());
    }
  return llvm::Error::success();
}

llvm::Error dq::tileGroupParams(llvm::ArrayRef<uint8_t> In, int64_t ElemBytes,
                                const N16K4Geometry &Geo,
                                llvm::MutableArrayRef<uint8_t> Out) {
  if (llvm::Error E = checkGeometry(Geo))
    return E;
  int64_t Groups = Geo.numGroups();
  if (llvm::Error E = checkBytes(In.size(), Geo.Rows * Groups * ElemBytes,
                                 "row-major input"))
    return E;
  if (llvm::Error E = checkBytes(Out.size(),
                                 Geo.numTiles() * Groups *
                                     N16K4Geometry::TileRows * ElemBytes,
                                 "tiled output"))
    return E;
  std::fill(Out.begin(), Out.end(), 0);
  for (int64_t R = 0; R < Geo.Rows; ++R)
    for (int64_t G = 0; G < Groups; ++G) {
      int64_t Tile = R / N16K4Geometry::TileRows;
      int64_t Lane = R % N16K4Geometry::TileRows;
      int64_t To =
          ((Tile * Groups + G) * N16K4Geometry::TileRows + Lane) * ElemBytes;
      std::memcpy(Out.data() + To, In.data() + (R * Groups + G) * ElemBytes,
                  ElemBytes);
    }
  return llvm::Error::success();
}
