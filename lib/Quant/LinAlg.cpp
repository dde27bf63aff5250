//===- LinAlg.cpp - Thin wrappers over OpenBLAS and LAPACKE --------------===//

#include "LinAlg.h"
#include "dq/Quant/Quantize.h"

#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace dq {

const char *getBlasCoreName() { return openblas_get_corename(); }

namespace linalg {

void useSingleThreadedBlas() {
  static std::once_flag Once;
  std::call_once(Once, [] { openblas_set_num_threads(1); });
}

void gemm(bool TransA, bool TransB, int64_t M, int64_t N, int64_t K,
          double Alpha, const double *A, int64_t LdA, const double *B,
          int64_t LdB, double Beta, double *C, int64_t LdC) {
  if (M == 0 || N == 0)
    return;
  cblas_dgemm(CblasRowMajor, TransA ? CblasTrans : CblasNoTrans,
              TransB ? CblasTrans : CblasNoTrans, int(M), int(N), int(K), Alpha,
              A, int(LdA), B, int(LdB), Beta, C, int(LdC));
}

typedef double V4d __attribute__((vector_size(32)));

__attribute__((target_clones("avx2", "default"))) double
dot(const double *A, const double *B, int64_t N) {
  V4d Acc = {0, 0, 0, 0};
  int64_t I = 0;
  for (; I + 4 <= N; I += 4) {
    V4d Av, Bv;
    std::memcpy(&Av, A + I, sizeof(Av));
    std::memcpy(&Bv, B + I, sizeof(Bv));
    Acc += Av * Bv;
  }
  double Sum = (Acc[0] + Acc[1]) + (Acc[2] + Acc[3]);
  for (; I < N; ++I)
    Sum += A[I] * B[I];
  return Sum;
}

typedef double V8d __attribute__((vector_size(64)));

__attribute__((target_clones("avx512f", "avx2", "default"))) void
segmentDotsRows(const double *A, int64_t LdA, const double *B, int64_t LdB,
                int64_t Rows, int64_t Seg, int64_t NumSegs, double *Out) {
  for (int64_t R = 0; R < Rows; ++R)
    for (int64_t S = 0; S < NumSegs; ++S) {
      const double *As = A + R * LdA + S * Seg, *Bs = B + R * LdB + S * Seg;
      V8d Acc = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t I = 0;
      for (; I + 8 <= Seg; I += 8) {
        V8d Av, Bv;
        std::memcpy(&Av, As + I, sizeof(Av));
        std::memcpy(&Bv, Bs + I, sizeof(Bv));
        Acc += Av * Bv;
      }
      double Sum = ((Acc[0] + Acc[4]) + (Acc[1] + Acc[5])) +
                   ((Acc[2] + Acc[6]) + (Acc[3] + Acc[7]));
      for (; I < Seg; ++I)
        Sum += As[I] * Bs[I];
      Out[R * NumSegs + S] = Sum;
    }
}

void sgemm(int64_t M, int64_t N, int64_t K, float Alpha, const float *A,
           int64_t LdA, const float *B, int64_t LdB, float Beta, float *C,
           int64_t LdC) {
  if (M == 0 || N == 0)
    return;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(M), int(N), int(K),
              Alpha, A, int(LdA), B, int(LdB), Beta, C, int(LdC));
}

void strmmUpperRight(int64_t M, int64_t N, const float *A, float *B) {
  if (M == 0 || N == 0)
    return;
  cblas_strmm(CblasRowMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit,
              int(M), int(N), 1.0f, A, int(N), B, int(N));
}

// A row-major upper triangle is the column-major lower triangle of the same
// memory, and A = UᵀU is A = LLᵀ with L = Uᵀ: calling LAPACK's native
// column-major lower routines spares LAPACKE's two transposing copies of the
// whole matrix (4% of a 4096-wide layer's time).
bool choleskyUpper(double *A, int64_t N) {
  return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', int(N), A, int(N)) == 0;
}

// inverse(U) in row-major is inverse(L)ᵀ = inverse(Lᵀ) in column-major.
bool invertUpperTriangular(double *A, int64_t N) {
  return LAPACKE_dtrtri_work(LAPACK_COL_MAJOR, 'L', 'N', int(N), A, int(N)) ==
         0;
}

void choleskySolve(const double *U, int64_t N, double *B) {
  // Uᵀ y = b, then U x = y.
  cblas_dtrsv(CblasRowMajor, CblasUpper, CblasTrans, CblasNonUnit, int(N), U,
              int(N), B, 1);
  cblas_dtrsv(CblasRowMajor, CblasUpper, CblasNoTrans, CblasNonUnit, int(N), U,
              int(N), B, 1);
}

} // namespace linalg
} // namespace dq
