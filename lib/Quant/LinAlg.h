//===- LinAlg.h - Thin wrappers over OpenBLAS and LAPACKE -------*- C++ -*-===//
//
// Row-major float64 GEMM and Cholesky helpers. BLAS runs single-threaded:
// the quantizer splits rows between its own threads in fixed chunks, which
// keeps results independent of the thread count (docs/quantization.md).
//
//===----------------------------------------------------------------------===//

#ifndef DQ_LIB_QUANT_LINALG_H
#define DQ_LIB_QUANT_LINALG_H

#include <cstdint>

namespace dq {
namespace linalg {

/// Makes OpenBLAS run every call on the calling thread (idempotent).
void useSingleThreadedBlas();

/// C = Alpha·op(A)·op(B) + Beta·C, row-major.
void gemm(bool TransA, bool TransB, int64_t M, int64_t N, int64_t K,
          double Alpha, const double *A, int64_t LdA, const double *B,
          int64_t LdB, double Beta, double *C, int64_t LdC);

/// In-place upper Cholesky of the row-major symmetric N x N matrix A
/// (A = UᵀU, only the upper triangle is read and written). Returns false
/// when A is not numerically positive definite.
bool choleskyUpper(double *A, int64_t N);

/// Given the upper Cholesky factor in A, overwrites A with the full
/// symmetric inverse of the original matrix.
bool inverseFromCholesky(double *A, int64_t N);

/// Solves (UᵀU) X = B for one right-hand side, U from choleskyUpper.
void choleskySolve(const double *U, int64_t N, double *B);

} // namespace linalg
} // namespace dq

#endif // DQ_LIB_QUANT_LINALG_H
