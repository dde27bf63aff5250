//===- GptqStep.cpp - GPTQ rounding with fixed (s, z)
//----------------------===//
//
// Columns are visited in act-order (descending diag H). Rounding column j
// leaves an error e = (w_j - ŵ_j) / U_jj that is pushed onto the later
// columns through row j of U = chol_upper(inverse(H_perm + damping)). Within
// a lazy block of BlockSize columns the push is immediate; the columns after
// the block receive the whole block's errors in one GEMM (same arithmetic up
// to the order of additions).
//
//===----------------------------------------------------------------------===//

#include "LinAlg.h"
#include "dq/Quant/Steps.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace llvm;

namespace dq {

Expected<GptqFactor> makeGptqFactor(const Matrix &H, double Damp) {
  int64_t K = H.Rows;
  GptqFactor F;
  F.Perm.resize(static_cast<size_t>(K));
  std::iota(F.Perm.begin(), F.Perm.end(), 0);
  std::stable_sort(F.Perm.begin(), F.Perm.end(),
                   [&](int64_t A, int64_t B) { return H(A, A) > H(B, B); });
  double MeanDiag = 0;
  for (int64_t I = 0; I < K; ++I)
    MeanDiag += H(I, I);
  MeanDiag /= double(K);
  if (!(MeanDiag > 0))
    MeanDiag = 1;

  // t = λ first, then 0.1, 1, 10, 100 (the reference's ladder).
  std::vector<double> Ladder = {Damp};
  for (double T : {0.1, 1.0, 10.0, 100.0})
    if (T > Damp)
      Ladder.push_back(T);
  // chol_upper(inverse(A)) without forming the inverse: with P the
  // reversal permutation and P·A·P = VᵀV (V upper), A⁻¹ = UᵀU for the upper
  // triangular U = P·V⁻ᵀ·P, which is the unique such factor (positive
  // diagonal). One Cholesky and one triangular inverse: half the flops of
  // Cholesky, inverse, Cholesky.
  // Gathered in the reversed act-order, row by row (each row of H is read
  // contiguously), then symmetrised; the transposes go in tiles that stay
  // in cache (K² strided reads took seconds at K = 11008).
  Matrix Gathered(K, K), A(K, K);
  for (int64_t I = 0; I < K; ++I) {
    const double *Hr = H.row(F.Perm[K - 1 - I]);
    double *Gr = Gathered.row(I);
    for (int64_t J = 0; J < K; ++J)
      Gr[J] = Hr[F.Perm[K - 1 - J]];
  }
  const int64_t Tile = 64;
  for (double T : Ladder) {
    for (int64_t I0 = 0; I0 < K; I0 += Tile)
      for (int64_t J0 = 0; J0 < K; J0 += Tile)
        for (int64_t I = I0; I < std::min(K, I0 + Tile); ++I)
          for (int64_t J = J0; J < std::min(K, J0 + Tile); ++J)
            A(I, J) = 0.5 * (Gathered(I, J) + Gathered(J, I));
    for (int64_t I = 0; I < K; ++I)
      A(I, I) += T * MeanDiag;
    if (!linalg::choleskyUpper(A.Data.data(), K)) {
      if (T == Damp)
        return makeNotPSDError(T * MeanDiag);
      continue;
    }
    if (!linalg::invertUpperTriangular(A.Data.data(), K))
      continue;
    // U[i, j] = (V⁻ᵀ)[K-1-i, K-1-j] = (V⁻¹)[K-1-j, K-1-i], for j >= i.
    F.UF32.assign(size_t(K * K), 0.0f);
    bool Finite = true;
    for (int64_t I0 = 0; I0 < K; I0 += Tile)
      for (int64_t J0 = I0; J0 < K; J0 += Tile)
        for (int64_t I = I0; I < std::min(K, I0 + Tile); ++I)
          for (int64_t J = std::max(I, J0); J < std::min(K, J0 + Tile); ++J) {
            double V = A(K - 1 - J, K - 1 - I);
            F.UF32[I * K + J] = float(V);
            Finite &= std::isfinite(V);
          }
    if (!Finite)
      continue;
    F.DampUsed = T;
    return F;
  }
  return createStringError(
      formatv("hessian is not positive semi-definite: the Cholesky "
              "factorisation of inverse(H + t*mean(diag H)*I) failed for "
              "every t up to 100")
          .str());
}

// An AVX-512 or AVX2 build is chosen at run time: the in-block error
// pushes (Rows·K·BlockSize/2 multiply-adds) are short vector loops.
__attribute__((target_clones("avx512f", "avx2", "default"))) void
gptqRound(const LayerContext &C, const GptqFactor &F, const double *W,
          int64_t Rows, const float *S, const float *Z, unsigned BlockSize,
          int8_t *Q, double *DampedErrors) {
  int64_t K = C.K, G = C.NumGroups;
  int64_t B = std::max<int64_t>(1, BlockSize);
  // Working rows, columns in act-order.
  std::vector<float> Wp(size_t(Rows * K));
  for (int64_t Row = 0; Row < Rows; ++Row)
    for (int64_t J = 0; J < K; ++J)
      Wp[Row * K + J] = float(W[Row * K + F.Perm[J]]);
  std::vector<float> E(size_t(Rows * B));
  std::vector<double> Loss(static_cast<size_t>(Rows), 0.0);
  const float *U = F.UF32.data();
  for (int64_t J0 = 0; J0 < K; J0 += B) {
    int64_t J1 = std::min(K, J0 + B), Len = J1 - J0;
    for (int64_t J = J0; J < J1; ++J) {
      int64_t Col = F.Perm[J], Grp = Col / C.GroupSize;
      float D = U[J * K + J];
      const float *Uj = U + J * K;
      for (int64_t Row = 0; Row < Rows; ++Row) {
        float Sc = S[Row * G + Grp], Off = Z[Row * G + Grp];
        float *Wr = Wp.data() + Row * K;
        int V = roundAndClamp((double(Wr[J]) - Off) / safeDivisor(Sc), C.QMin,
                              C.QMax);
        Q[Row * K + Col] = int8_t(V);
        float Err = (Wr[J] - (Sc * float(V) + Off)) / D;
        E[Row * Len + (J - J0)] = Err;
        Loss[Row] += double(Err) * double(Err);
        for (int64_t Jj = J + 1; Jj < J1; ++Jj)
          Wr[Jj] -= Err * Uj[Jj];
      }
    }
    if (J1 < K)
      linalg::sgemm(Rows, K - J1, Len, -1.0f, E.data(), Len, U + J0 * K + J1, K,
                    1.0f, Wp.data() + J1, K);
  }
  if (DampedErrors)
    std::copy(Loss.begin(), Loss.end(), DampedErrors);
}

} // namespace dq
