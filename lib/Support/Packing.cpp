//===- Packing.cpp - Low-bit integers packed into bytes -------------------===//

#include "dq/Support/Packing.h"

using namespace dq;

bool dq::isSupportedPackingBits(unsigned Bits) {
  return Bits == 2 || Bits == 3 || Bits == 4 || Bits == 8;
}

int dq::minSignedValue(unsigned Bits) { return -(1 << (Bits - 1)); }
int dq::maxSignedValue(unsigned Bits) { return (1 << (Bits - 1)) - 1; }

llvm::Error dq::checkFieldValue(int V, unsigned Bits, int64_t Row,
                                int64_t Col) {
  int Lo = minSignedValue(Bits), Hi = maxSignedValue(Bits);
  if (V >= Lo && V <= Hi)
    return llvm::Error::success();
  return llvm::createStringError(
      "value " + llvm::Twine(V) + " at [" + llvm::Twine(Row) + ", " +
      llvm::Twine(Col) + "] does not fit in " + llvm::Twine(Bits) +
      " signed bits [" + llvm::Twine(Lo) + ", " + llvm::Twine(Hi) + "]");
}

llvm::Error dq::checkPackedShape(int64_t Rows, int64_t Cols, unsigned Bits,
                                 int64_t Group) {
  if (!isSupportedPackingBits(Bits))
    return llvm::createStringError("unsupported bit width " +
                                   llvm::Twine(Bits) +
                                   "; expected 2, 3, 4 or 8");
  if (Rows <= 0 || Cols <= 0 || Group <= 0 || Cols % Group != 0)
    return llvm::createStringError(
        "invalid weight shape [" + llvm::Twine(Rows) + ", " +
        llvm::Twine(Cols) + "] with group " + llvm::Twine(Group));
  return llvm::Error::success();
}

int64_t dq::getPackedRowBytes(int64_t Cols, unsigned Bits) {
  return (Cols * Bits + 7) / 8;
}

/// Shared argument checks; Elements is the size of the unpacked side.
static llvm::Error checkSizes(size_t Elements, size_t Bytes, int64_t Rows,
                              int64_t Cols, unsigned Bits) {
  if (!isSupportedPackingBits(Bits))
    return llvm::createStringError("unsupported bit width " +
                                   llvm::Twine(Bits) +
                                   "; expected 2, 3, 4 or 8");
  if (Rows < 0 || Cols < 0)
    return llvm::createStringError("negative shape [" + llvm::Twine(Rows) +
                                   ", " + llvm::Twine(Cols) + "]");
  uint64_t WantElements = uint64_t(Rows) * uint64_t(Cols);
  uint64_t WantBytes = uint64_t(Rows) * getPackedRowBytes(Cols, Bits);
  if (Elements != WantElements)
    return llvm::createStringError("integer part has " + llvm::Twine(Elements) +
                                   " elements; [" + llvm::Twine(Rows) + ", " +
                                   llvm::Twine(Cols) + "] needs " +
                                   llvm::Twine(WantElements));
  if (Bytes != WantBytes)
    return llvm::createStringError(
        "packed data has " + llvm::Twine(Bytes) + " bytes; [" +
        llvm::Twine(Rows) + ", " + llvm::Twine(Cols) + "] at " +
        llvm::Twine(Bits) + " bits needs " + llvm::Twine(WantBytes));
  return llvm::Error::success();
}

llvm::Error dq::packRowMajor(llvm::ArrayRef<int8_t> Q, int64_t Rows,
                             int64_t Cols, unsigned Bits,
                             llvm::MutableArrayRef<uint8_t> Out) {
  if (llvm::Error E = checkSizes(Q.size(), Out.size(), Rows, Cols, Bits))
    return E;
  int64_t RowBytes = getPackedRowBytes(Cols, Bits);
  unsigned Mask = (1u << Bits) - 1;
  std::fill(Out.begin(), Out.end(), 0);
  for (int64_t N = 0; N < Rows; ++N) {
    uint8_t *Row = Out.data() + N * RowBytes;
    for (int64_t K = 0; K < Cols; ++K) {
      int V = Q[N * Cols + K];
      if (llvm::Error E = checkFieldValue(V, Bits, N, K))
        return E;
      // A field spans at most two bytes (3 bits at offset 6 or 7).
      uint64_t Bit = uint64_t(K) * Bits;
      unsigned Field = (unsigned(V) & Mask) << (Bit % 8);
      Row[Bit / 8] |= uint8_t(Field);
      if (Field >> 8)
        Row[Bit / 8 + 1] |= uint8_t(Field >> 8);
    }
  }
  return llvm::Error::success();
}

llvm::Error dq::unpackRowMajor(llvm::ArrayRef<uint8_t> Packed, int64_t Rows,
                               int64_t Cols, unsigned Bits,
                               llvm::MutableArrayRef<int8_t> Out) {
  if (llvm::Error E = checkSizes(Out.size(), Packed.size(), Rows, Cols, Bits))
    return E;
  int64_t RowBytes = getPackedRowBytes(Cols, Bits);
  unsigned Mask = (1u << Bits) - 1;
  unsigned SignBit = 1u << (Bits - 1);
  for (int64_t N = 0; N < Rows; ++N) {
    const uint8_t *Row = Packed.data() + N * RowBytes;
    for (int64_t K = 0; K < Cols; ++K) {
      uint64_t Bit = uint64_t(K) * Bits;
      unsigned Word = Row[Bit / 8];
      if (Bit / 8 + 1 < uint64_t(RowBytes))
        Word |= unsigned(Row[Bit / 8 + 1]) << 8;
      unsigned Field = (Word >> (Bit % 8)) & Mask;
      // Sign-extend the two's-complement field.
      Out[N * Cols + K] = int8_t(int(Field ^ SignBit) - int(SignBit));
    }
    uint64_t UsedBits = uint64_t(Cols) * Bits;
    if (UsedBits % 8 != 0 && (Row[RowBytes - 1] >> (UsedBits % 8)) != 0)
      return llvm::createStringError("row " + llvm::Twine(N) +
                                     " has non-zero padding bits; the data "
                                     "was not packed as " +
                                     llvm::Twine(Bits) + "-bit row_major");
  }
  return llvm::Error::success();
}
