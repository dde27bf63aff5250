//===- LinAlg.cpp - Thin wrappers over OpenBLAS and LAPACKE --------------===//

#include "LinAlg.h"

#include <cblas.h>
#include <lapacke.h>

#include <mutex>

namespace dq {
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

bool choleskyUpper(double *A, int64_t N) {
  return LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', int(N), A, int(N)) == 0;
}

bool inverseFromCholesky(double *A, int64_t N) {
  if (LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', int(N), A, int(N)) != 0)
    return false;
  for (int64_t I = 0; I < N; ++I)
    for (int64_t J = 0; J < I; ++J)
      A[I * N + J] = A[J * N + I];
  return true;
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
