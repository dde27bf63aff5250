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

/// Σ A[i]·B[i] in four interleaved partial sums (vectorised; an AVX2 build
/// is chosen at run time, without FMA so both builds give the same bits).
double dot(const double *A, const double *B, int64_t N);

/// Dot products of consecutive segments, row by row: for r < Rows and
/// s < NumSegs, Out[r·NumSegs + s] = Σ_{i < Seg} A[r·LdA + s·Seg + i] ·
/// B[r·LdB + s·Seg + i] (vectorised; an AVX-512 or AVX2 build is chosen at
/// run time).
void segmentDotsRows(const double *A, int64_t LdA, const double *B, int64_t LdB,
                     int64_t Rows, int64_t Seg, int64_t NumSegs, double *Out);

/// C = Alpha·A·B + Beta·C, row-major float32 (A: M x K, B: K x N).
void sgemm(int64_t M, int64_t N, int64_t K, float Alpha, const float *A,
           int64_t LdA, const float *B, int64_t LdB, float Beta, float *C,
           int64_t LdC);

/// B := B·triu(A) for row-major float32 B (M x N) and the upper triangle
/// (diagonal included) of the row-major N x N matrix A.
void strmmUpperRight(int64_t M, int64_t N, const float *A, float *B);

/// In-place upper Cholesky of the row-major symmetric N x N matrix A
/// (A = UᵀU, only the upper triangle is read and written). Returns false
/// when A is not numerically positive definite.
bool choleskyUpper(double *A, int64_t N);

/// In-place inverse of the upper triangular N x N matrix A (row-major).
bool invertUpperTriangular(double *A, int64_t N);

/// Solves (UᵀU) X = B for one right-hand side, U from choleskyUpper.
void choleskySolve(const double *U, int64_t N, double *B);

} // namespace linalg
} // namespace dq

#endif // DQ_LIB_QUANT_LINALG_H
