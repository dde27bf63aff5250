//===- GPULayout.cpp - The gpu_chunked GPU storage layout -----------------===//

#include "dq/Support/GPULayout.h"
#include "dq/Support/Packing.h"

#include <algorithm>

using namespace dq;

GPUChunkField dq::locateGPUChunkField(unsigned Bits, int64_t E) {
  GPUChunkField F;
  if (Bits != 3) {
    int64_t PerWord = 32 / Bits;
    F.Word = unsigned(E / PerWord);
    F.Shift = unsigned(Bits * (E % PerWord));
    return F;
  }
  // Low two bits: words 0 and 1, sixteen 2-bit fields each; bit 2: word 2.
  F.Word = unsigned(E / 16);
  F.Shift = unsigned(2 * (E % 16));
  F.HighWord = 2;
  F.HighShift = unsigned(E);
  F.HasHigh = true;
  return F;
}

namespace {
llvm::Error checkGeometry(const GPUChunkedGeometry &Geo) {
  return checkPackedShape(Geo.Rows, Geo.Cols, Geo.Bits, Geo.Group);
}

llvm::Error checkSizes(size_t Elements, size_t Bytes,
                       const GPUChunkedGeometry &Geo, llvm::StringRef What,
                       llvm::StringRef BytesWhat) {
  if (Elements != uint64_t(Geo.Rows * Geo.Cols))
    return llvm::createStringError(What + " has " + llvm::Twine(Elements) +
                                   " elements; [" + llvm::Twine(Geo.Rows) +
                                   ", " + llvm::Twine(Geo.Cols) + "] needs " +
                                   llvm::Twine(Geo.Rows * Geo.Cols));
  if (Bytes != uint64_t(Geo.Rows * Geo.rowBytes()))
    return llvm::createStringError(BytesWhat + " has " + llvm::Twine(Bytes) +
                                   " bytes; the gpu_chunked layout needs " +
                                   llvm::Twine(Geo.Rows * Geo.rowBytes()));
  return llvm::Error::success();
}

/// Byte offset of word W of the chunk holding column Col of row Row.
int64_t wordByte(const GPUChunkedGeometry &Geo, int64_t Row, int64_t Col,
                 unsigned W) {
  int64_t Group = Col / Geo.Group, InGroup = Col % Geo.Group;
  int64_t Chunk = Group * Geo.chunksPerGroup() + InGroup / Geo.chunkCols();
  return Row * Geo.rowBytes() + Chunk * Geo.chunkBytes() + 4 * W;
}

/// Bits [Shift, Shift + Width) of the little-endian word at Bytes + Byte.
unsigned readBits(llvm::ArrayRef<uint8_t> Bytes, int64_t Byte, unsigned Shift,
                  unsigned Width) {
  uint32_t Word = uint32_t(Bytes[Byte]) | uint32_t(Bytes[Byte + 1]) << 8 |
                  uint32_t(Bytes[Byte + 2]) << 16 |
                  uint32_t(Bytes[Byte + 3]) << 24;
  return (Word >> Shift) & ((1u << Width) - 1);
}

void orBits(llvm::MutableArrayRef<uint8_t> Bytes, int64_t Byte, unsigned Shift,
            unsigned Value) {
  uint32_t Word = uint32_t(Value) << Shift;
  for (int I = 0; I < 4; ++I)
    Bytes[Byte + I] |= uint8_t(Word >> (8 * I));
}
} // namespace

llvm::Error dq::packGPUChunked(llvm::ArrayRef<int8_t> Q,
                               const GPUChunkedGeometry &Geo,
                               llvm::MutableArrayRef<uint8_t> Out) {
  if (llvm::Error E = checkGeometry(Geo))
    return E;
  if (llvm::Error E = checkSizes(Q.size(), Out.size(), Geo, "integer part",
                                 "packed output"))
    return E;
  std::fill(Out.begin(), Out.end(), 0);
  unsigned LowBits = Geo.Bits == 3 ? 2 : Geo.Bits;
  for (int64_t R = 0; R < Geo.Rows; ++R)
    for (int64_t C = 0; C < Geo.Cols; ++C) {
      int V = Q[R * Geo.Cols + C];
      if (llvm::Error E = checkFieldValue(V, Geo.Bits, R, C))
        return E;
      unsigned U = unsigned(V + Geo.bias());
      GPUChunkField F =
          locateGPUChunkField(Geo.Bits, (C % Geo.Group) % Geo.chunkCols());
      orBits(Out, wordByte(Geo, R, C, F.Word), F.Shift,
             U & ((1u << LowBits) - 1));
      if (F.HasHigh)
        orBits(Out, wordByte(Geo, R, C, F.HighWord), F.HighShift, U >> 2);
    }
  return llvm::Error::success();
}

llvm::Error dq::unpackGPUChunked(llvm::ArrayRef<uint8_t> Packed,
                                 const GPUChunkedGeometry &Geo,
                                 llvm::MutableArrayRef<int8_t> Out) {
  if (llvm::Error E = checkGeometry(Geo))
    return E;
  if (llvm::Error E =
          checkSizes(Out.size(), Packed.size(), Geo, "output", "packed data"))
    return E;
  unsigned LowBits = Geo.Bits == 3 ? 2 : Geo.Bits;
  for (int64_t R = 0; R < Geo.Rows; ++R)
    for (int64_t C = 0; C < Geo.Cols; ++C) {
      GPUChunkField F =
          locateGPUChunkField(Geo.Bits, (C % Geo.Group) % Geo.chunkCols());
      unsigned U =
          readBits(Packed, wordByte(Geo, R, C, F.Word), F.Shift, LowBits);
      if (F.HasHigh)
        U |= readBits(Packed, wordByte(Geo, R, C, F.HighWord), F.HighShift, 1)
             << 2;
      Out[R * Geo.Cols + C] = int8_t(int(U) - Geo.bias());
    }
  return llvm::Error::success();
}
