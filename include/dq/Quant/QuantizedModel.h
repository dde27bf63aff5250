//===- QuantizedModel.h - Checkpoints of quantized layers -------*- C++ -*-===//
//
// A checkpoint of layers quantized elsewhere (a sequential calibration in
// PyTorch, another tool's GPTQ), imported by `--dq-quantize=weights=FILE`
// instead of solving again. A safetensors file (docs/weights-format.md):
//
//   <layer>.q        I8 [N, K], values in [-2^(b-1), 2^(b-1) - 1]
//   <layer>.scale    F16, BF16 or F32 [N, G]; G divides K
//   <layer>.offset   the same dtype and shape as .scale
//   <name>.value     F32, any shape: the values of the float parameter
//                    <name> (e.g. an RMSNorm weight refined along with the
//                    layers), optional
//   __metadata__     format = "dq-quantized-model", format_version = "1",
//                    "<layer>.bits" = "2" | "3" | "4" | "8" for each layer,
//                    anything else free (producer, method, ...)
//
// and W[n, k] ≈ scale[n, k / (K/G)] · q[n, k] + offset[n, k / (K/G)]. A
// checkpoint may also be a directory of such files, each holding some of the
// layers and float parameters (as scripts/quantize_model.py writes one file
// per finished layer).
// The structure is checked when the checkpoint is opened, the values when a
// layer is read, so that importing a model streams through it one layer at a
// time. Plain C++: no MLIR types.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_QUANT_QUANTIZEDMODEL_H
#define DQ_QUANT_QUANTIZEDMODEL_H

#include "dq/Quant/Quantize.h"
#include "dq/Support/Safetensors.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace dq {

constexpr llvm::StringLiteral kQuantizedModelFormat = "dq-quantized-model";
constexpr llvm::StringLiteral kQuantizedModelFormatVersion = "1";

/// Lazy, validating reader of a dq-quantized-model checkpoint.
class QuantizedModelReader {
public:
  /// Opens Path and checks the structure of the whole file: the metadata,
  /// that every tensor is the .q, .scale or .offset of a layer that has all
  /// three and a supported ".bits" entry, or an F32 ".value", and their
  /// dtypes and shapes. Errors start with "<Path>: ". A directory: every
  /// "*.safetensors" file in it (names starting with '.', temporaries, are
  /// left out), each checked so, and no layer or ".value" in two of them.
  static llvm::Expected<QuantizedModelReader> open(llvm::StringRef Path);

  /// The same checks on an in-memory file; Name prefixes every error.
  static llvm::Expected<QuantizedModelReader>
  parse(std::unique_ptr<llvm::MemoryBuffer> Buffer, llvm::StringRef Name);

  /// Layer names, sorted.
  llvm::ArrayRef<std::string> getLayers() const { return Layers; }
  bool contains(llvm::StringRef Layer) const { return Info.contains(Layer); }

  /// Reads one layer for a weight of Rows x Cols (N x K) and checks its
  /// values: the shape, every q within the bit width, every scale and
  /// offset finite. The result's error fields are zero (nothing measured).
  llvm::Expected<QuantizedLayer> read(llvm::StringRef Layer, int64_t Rows,
                                      int64_t Cols) const;

  /// Names of the float parameters (the "<name>.value" tensors, without the
  /// suffix), sorted.
  llvm::ArrayRef<std::string> getFloats() const { return Floats; }
  bool containsFloat(llvm::StringRef Name) const {
    return FloatParts.contains(Name);
  }

  /// Reads "<Name>.value" for a parameter of the given shape and checks that
  /// its shape is Shape and every value is finite.
  llvm::Expected<std::vector<float>>
  readFloat(llvm::StringRef Name, llvm::ArrayRef<int64_t> Shape) const;

private:
  /// One file of the checkpoint and the name its errors start with.
  struct Part {
    SafetensorsReader File;
    std::string Name;
  };
  struct LayerInfo {
    unsigned Bits = 0;
    /// Index into Parts.
    unsigned Part = 0;
  };

  QuantizedModelReader() = default;
  /// Checks File and adds its layers.
  llvm::Error addPart(llvm::Expected<SafetensorsReader> File,
                      llvm::StringRef Name);

  std::vector<Part> Parts;
  std::vector<std::string> Layers;
  llvm::StringMap<LayerInfo> Info;
  std::vector<std::string> Floats;
  /// Float parameter name -> index into Parts.
  llvm::StringMap<unsigned> FloatParts;
};

} // namespace dq

#endif // DQ_QUANT_QUANTIZEDMODEL_H
