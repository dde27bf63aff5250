//===- Stats.h - Calibration statistics files -------------------*- C++ -*-===//
//
// The statistics a quantizer needs per layer: the Hessian H = XᵀX / T of the
// layer's input rows X (T x K) and the token count T. They live in a
// safetensors file (docs/stats-format.md):
//
//   <layer>.hessian   F64 or F32 [K, K], undamped
//   <layer>.tokens    I64 [] (or [1])
//   __metadata__      format = "dq-calibration-stats", format_version = "1",
//                     producer = free text
//
// Files are validated strictly when read, layer by layer, so that quantizing
// a model streams through its statistics with memory bounded by the largest
// layer. Plain C++: no MLIR types.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CALIBRATION_STATS_H
#define DQ_CALIBRATION_STATS_H

#include "dq/Support/Safetensors.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dq {

constexpr llvm::StringLiteral kStatsFormat = "dq-calibration-stats";
constexpr llvm::StringLiteral kStatsFormatVersion = "1";

/// One layer's statistics. Hessian is K x K, row-major, = XᵀX / Tokens.
struct LayerStats {
  std::string Name;
  int64_t K = 0;
  int64_t Tokens = 0;
  std::vector<double> Hessian;
};

/// Validates a layer on its own: K > 0, Tokens > 0, K*K finite entries,
/// symmetric (to rounding of the format it came in) and a non-negative
/// diagonal, as every Gram matrix has.
llvm::Error verifyLayerStats(const LayerStats &Layer);

/// Merges Other into Acc as if both had been accumulated together:
/// H = (Ta Ha + Tb Hb) / (Ta + Tb), T = Ta + Tb. K must match.
llvm::Error mergeLayerStats(LayerStats &Acc, const LayerStats &Other);

/// Lazy, validating reader of a statistics file.
class StatsReader {
public:
  /// Opens Path and checks the structure of the whole file (metadata, that
  /// every tensor is a .hessian or .tokens of a layer that has both, their
  /// dtypes and shapes). Values are checked when a layer is read.
  static llvm::Expected<StatsReader> open(llvm::StringRef Path);

  /// The same checks on an in-memory file; Name prefixes every error.
  static llvm::Expected<StatsReader>
  parse(std::unique_ptr<llvm::MemoryBuffer> Buffer, llvm::StringRef Name);

  /// Layer names, sorted.
  llvm::ArrayRef<std::string> getLayerNames() const { return Layers; }
  bool contains(llvm::StringRef Layer) const;
  const std::map<std::string, std::string> &getMetadata() const {
    return File.getMetadata();
  }
  /// K of a layer without reading its Hessian.
  llvm::Expected<int64_t> getK(llvm::StringRef Layer) const;
  /// Reads and validates one layer (verifyLayerStats).
  llvm::Expected<LayerStats> read(llvm::StringRef Layer) const;

private:
  static llvm::Expected<StatsReader>
  check(llvm::Expected<SafetensorsReader> File, llvm::StringRef Path);
  StatsReader(SafetensorsReader File, std::string Path)
      : File(std::move(File)), Path(std::move(Path)) {}
  SafetensorsReader File;
  std::string Path;
  std::vector<std::string> Layers;
};

/// Writes the layers (each verified first) with the format metadata, the
/// Hessians as F64, atomically.
llvm::Error writeStatsFile(llvm::StringRef Path,
                           llvm::ArrayRef<LayerStats> Layers,
                           llvm::StringRef Producer);

} // namespace dq

#endif // DQ_CALIBRATION_STATS_H
