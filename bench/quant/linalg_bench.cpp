//===- linalg_bench.cpp - Eigen vs OpenBLAS/LAPACK on the quantizer's shapes
//===//
//
// Times what the quantizer needs: K x K Cholesky and inverse (float64) and
// N x K x K products (float64 and float32, N = K), Eigen against OpenBLAS +
// LAPACKE, one thread each and then two. Prints medians of repetitions.
//
//   c++ -O2 [-mavx2 -mfma] -I/usr/include/eigen3 linalg_bench.cpp \
//       -lopenblas -llapacke -o linalg_bench && ./linalg_bench 768 1536 4096
//
//===----------------------------------------------------------------------===//

#include <Eigen/Dense>
#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

extern "C" void openblas_set_num_threads(int);

static double median(std::function<void()> F, int Reps) {
  std::vector<double> T;
  for (int R = 0; R < Reps; ++R) {
    auto A = std::chrono::steady_clock::now();
    F();
    T.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - A)
            .count());
  }
  std::sort(T.begin(), T.end());
  return T[T.size() / 2];
}

int main(int Argc, char **Argv) {
  int Threads = std::getenv("THREADS") ? std::atoi(std::getenv("THREADS")) : 1;
  openblas_set_num_threads(Threads);
  Eigen::setNbThreads(Threads);
  std::printf("threads=%d eigen_simd=%s\n", Threads,
              Eigen::SimdInstructionSetsInUse());
  for (int I = 1; I < Argc; ++I) {
    int K = std::atoi(Argv[I]);
    int Reps = K >= 4096 ? 3 : 5;
    Eigen::MatrixXd X = Eigen::MatrixXd::Random(K, K);
    Eigen::MatrixXd H = X * X.transpose() / K + Eigen::MatrixXd::Identity(K, K);
    Eigen::MatrixXd B = Eigen::MatrixXd::Random(K, K), C(K, K);
    Eigen::MatrixXf Bf = B.cast<float>(), Hf = H.cast<float>(), Cf(K, K);

    double EChol = median([&] { Eigen::LLT<Eigen::MatrixXd> L(H); }, Reps);
    double EInv = median(
        [&] {
          Eigen::LLT<Eigen::MatrixXd> L(H);
          C = L.solve(Eigen::MatrixXd::Identity(K, K));
        },
        Reps);
    double EGemmD = median([&] { C.noalias() = B * H; }, Reps);
    double EGemmF = median([&] { Cf.noalias() = Bf * Hf; }, Reps);

    std::vector<double> A(H.data(), H.data() + size_t(K) * K);
    double LChol = median(
        [&] {
          std::vector<double> T = A;
          LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', K, T.data(), K);
        },
        Reps);
    double LInv = median(
        [&] {
          std::vector<double> T = A;
          LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', K, T.data(), K);
          LAPACKE_dpotri(LAPACK_COL_MAJOR, 'U', K, T.data(), K);
        },
        Reps);
    double BGemmD = median(
        [&] {
          cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, K, K, K, 1.0,
                      B.data(), K, H.data(), K, 0.0, C.data(), K);
        },
        Reps);
    double BGemmF = median(
        [&] {
          cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, K, K, K, 1.0f,
                      Bf.data(), K, Hf.data(), K, 0.0f, Cf.data(), K);
        },
        Reps);
    double Fl = 2.0 * K * K * K;
    std::printf("K=%d  chol: eigen %.4fs lapack %.4fs | inverse: eigen %.4fs "
                "lapack %.4fs | dgemm: eigen %.3fs (%.0f GF/s) openblas %.3fs "
                "(%.0f GF/s) | sgemm: eigen %.3fs (%.0f GF/s) openblas %.3fs "
                "(%.0f GF/s)\n",
                K, EChol, LChol, EInv, LInv, EGemmD, Fl / EGemmD / 1e9, BGemmD,
                Fl / BGemmD / 1e9, EGemmF, Fl / EGemmF / 1e9, BGemmF,
                Fl / BGemmF / 1e9);
  }
}
