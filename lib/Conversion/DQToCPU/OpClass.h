//===- OpClass.h - what a tensor-level op does, for profiles ----*- C++ -*-===//
//
// `dq-run --profile` reports time per op class. The classes are decided on
// the linalg ops before --dq-vectorize-linalg-cpu turns them into loops of
// vector code, where the op's kind is no longer visible; the vectorizer
// stamps the result on the loop it builds (kOpClassAttr, kOpAttr), and
// --dq-profile-regions reads it back.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_LIB_CONVERSION_DQTOCPU_OPCLASS_H
#define DQ_LIB_CONVERSION_DQTOCPU_OPCLASS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <string>

namespace mlir::dq {

/// The op class of a loop nest built from a linalg op.
constexpr llvm::StringLiteral kOpClassAttr = "dq.op_class";
/// The linalg op a loop nest was built from, with its loop ranges.
constexpr llvm::StringLiteral kOpAttr = "dq.op";

/// Profile classes (docs/profile.md says how each is recognized).
namespace op_class {
constexpr llvm::StringLiteral kQuantizedMatmul = "dq-matmul";
constexpr llvm::StringLiteral kAttention = "attention";
constexpr llvm::StringLiteral kMatmul = "matmul";
constexpr llvm::StringLiteral kSoftmax = "softmax";
constexpr llvm::StringLiteral kNormalization = "normalization";
constexpr llvm::StringLiteral kElementwise = "elementwise";
constexpr llvm::StringLiteral kDataMovement = "data-movement";
constexpr llvm::StringLiteral kOther = "other";
} // namespace op_class

/// The class of each linalg op in `func`, decided in program order so that
/// an op can take its producers' class:
/// - a contraction with a batch dimension (QK^T, PV): attention; any other
///   contraction: matmul;
/// - an op whose body takes `exp` and that reduces or reads a broadcast
///   operand (softmax's exp(x - max)), or a max reduction (softmax's max):
///   attention when it reads attention's scores (through up to four
///   elementwise ops: scaling, masks), else softmax (log-probabilities
///   over a vocabulary);
/// - any other reduction: the class of a softmax op it reads (softmax's
///   sum), else normalization (means and variances);
/// - an op taking a square root: normalization;
/// - an op whose body computes no float (copies, transposes, broadcasts,
///   gathers, masks built from indices): data-movement;
/// - any other op: the class of a reduction whose result it reads
///   broadcast (softmax's division by the sum, a norm's scaling), else
///   elementwise.
/// A producer that is already a loop nest carrying kOpClassAttr counts
/// with that class.
llvm::DenseMap<Operation *, llvm::StringRef> classifyLinalgOps(Operation *root);

/// "batch_matmul 1x9x640x64" style: the op's name without its dialect and
/// its static loop ranges ('?' for dynamic ones).
std::string describeLinalgOp(linalg::LinalgOp op);

} // namespace mlir::dq

#endif // DQ_LIB_CONVERSION_DQTOCPU_OPCLASS_H
