//===- Hessian.cpp - Streaming H = XᵀX / T in float64 --------------------===//

#include "dq/Quant/Hessian.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cblas.h>
#include <cmath>

using namespace llvm;

namespace dq {

HessianAccumulator::HessianAccumulator(int64_t K)
    : K(K), Sum(size_t(K * K), 0.0) {}

template <typename T>
static Error addBatchImpl(ArrayRef<T> X, int64_t Rows, int64_t K, int64_t Batch,
                          std::vector<double> &Sum, int64_t &Samples) {
  if (Rows < 0 || X.size() != size_t(Rows * K))
    return createStringError(
        formatv("activation batch {0}: {1} values do not form rows of K = {2} "
                "({3} rows expected {4} values)",
                Batch, X.size(), K, Rows, Rows * K)
            .str());
  for (int64_t I = 0; I < Rows * K; ++I)
    if (!std::isfinite(double(X[I])))
      return createStringError(
          formatv("activation batch {0} rejected: non-finite value {1} at "
                  "row {2}, column {3}",
                  Batch, format("%g", double(X[I])), I / K, I % K)
              .str());
  std::vector<double> Xd(X.begin(), X.end());
  // Column-major K x Rows view of the row-major batch: Sum += X·Xᵀ.
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, int(K), int(Rows), 1.0,
              Xd.data(), int(K), 1.0, Sum.data(), int(K));
  Samples += Rows;
  return Error::success();
}

Error HessianAccumulator::addBatch(ArrayRef<float> X, int64_t Rows) {
  return addBatchImpl(X, Rows, K, Batches++, Sum, Samples);
}

Error HessianAccumulator::addBatch(ArrayRef<double> X, int64_t Rows) {
  return addBatchImpl(X, Rows, K, Batches++, Sum, Samples);
}

Expected<Matrix> HessianAccumulator::getHessian() const {
  if (Samples == 0)
    return createStringError("no activation samples were accumulated");
  Matrix H(K, K);
  double Inv = 1.0 / double(Samples);
  // Column-major upper (I <= J) holds Σ x_I x_J at Sum[J * K + I].
  for (int64_t J = 0; J < K; ++J)
    for (int64_t I = 0; I <= J; ++I) {
      double V = Sum[size_t(J * K + I)] * Inv;
      H(I, J) = V;
      H(J, I) = V;
    }
  return H;
}

} // namespace dq
