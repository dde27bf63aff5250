// Baselines for bench/gpu/run_bench.py, measured on the same device in the
// same run: cuBLAS fp16 GEMM (f32 accumulation) for y[M, N] = x[M, K] W[N,
// K]^T, and the device's copy bandwidth (device-to-device cudaMemcpy, counted
// as bytes read plus bytes written).
//
// usage: cublas_bench M N K [M N K ...]
// Prints one JSON object per line: {"kind": "cublas", "m", "n", "k",
// "median_us", "min_us"} and {"kind": "copy", "bytes", "gbps"}.
//
// Build: nvcc -O2 -o cublas_bench cublas_bench.cu -lcublas

#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CHECK_CUDA(call)                                                       \
  do {                                                                         \
    cudaError_t err = (call);                                                  \
    if (err != cudaSuccess) {                                                  \
      std::fprintf(stderr, "%s: %s\n", #call, cudaGetErrorString(err));        \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)
#define CHECK_CUBLAS(call)                                                     \
  do {                                                                         \
    cublasStatus_t st = (call);                                                \
    if (st != CUBLAS_STATUS_SUCCESS) {                                         \
      std::fprintf(stderr, "%s: cuBLAS status %d\n", #call, int(st));          \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

namespace {

constexpr int kReps = 7;
constexpr int kIters = 50;

/// Median and minimum of kReps timings of kIters calls of `body`, in us
/// per call.
template <typename F> std::pair<double, double> timeIt(F body) {
  cudaEvent_t start, stop;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));
  for (int i = 0; i < 5; ++i)
    body();
  std::vector<double> us;
  for (int rep = 0; rep < kReps; ++rep) {
    CHECK_CUDA(cudaEventRecord(start));
    for (int i = 0; i < kIters; ++i)
      body();
    CHECK_CUDA(cudaEventRecord(stop));
    CHECK_CUDA(cudaEventSynchronize(stop));
    float ms = 0;
    CHECK_CUDA(cudaEventElapsedTime(&ms, start, stop));
    us.push_back(1000.0 * ms / kIters);
  }
  CHECK_CUDA(cudaEventDestroy(start));
  CHECK_CUDA(cudaEventDestroy(stop));
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us.front()};
}

__global__ void fill(__half *p, size_t n, float v) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n;
       i += size_t(gridDim.x) * blockDim.x)
    p[i] = __float2half(v * float(int(i % 17) - 8));
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 4 || (argc - 1) % 3 != 0) {
    std::fprintf(stderr, "usage: %s M N K [M N K ...]\n", argv[0]);
    return 2;
  }
  cublasHandle_t handle;
  CHECK_CUBLAS(cublasCreate(&handle));
  for (int a = 1; a + 2 < argc; a += 3) {
    int m = std::atoi(argv[a]), n = std::atoi(argv[a + 1]),
        k = std::atoi(argv[a + 2]);
    __half *x, *w, *y;
    CHECK_CUDA(cudaMalloc(&x, size_t(m) * k * sizeof(__half)));
    CHECK_CUDA(cudaMalloc(&w, size_t(n) * k * sizeof(__half)));
    CHECK_CUDA(cudaMalloc(&y, size_t(m) * n * sizeof(__half)));
    fill<<<256, 256>>>(x, size_t(m) * k, 0.01f);
    fill<<<256, 256>>>(w, size_t(n) * k, 0.01f);
    float alpha = 1, beta = 0;
    // Column-major view: y^T[N, M] = W[N, K] (stored as K x N, transposed)
    // times x^T[K, M] (stored as K x M).
    auto [median, min] = timeIt([&] {
      CHECK_CUBLAS(cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k,
                                &alpha, w, CUDA_R_16F, k, x, CUDA_R_16F, k,
                                &beta, y, CUDA_R_16F, n, CUBLAS_COMPUTE_32F,
                                CUBLAS_GEMM_DEFAULT));
    });
    std::printf("{\"kind\": \"cublas\", \"m\": %d, \"n\": %d, \"k\": %d, "
                "\"median_us\": %.3f, \"min_us\": %.3f}\n",
                m, n, k, median, min);
    CHECK_CUDA(cudaFree(x));
    CHECK_CUDA(cudaFree(w));
    CHECK_CUDA(cudaFree(y));
  }
  // Copy bandwidth: 1 GiB device to device.
  size_t bytes = size_t(1) << 30;
  void *src, *dst;
  CHECK_CUDA(cudaMalloc(&src, bytes));
  CHECK_CUDA(cudaMalloc(&dst, bytes));
  CHECK_CUDA(cudaMemset(src, 1, bytes));
  auto [median, min] = timeIt([&] {
    CHECK_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice));
  });
  (void)min;
  std::printf("{\"kind\": \"copy\", \"bytes\": %zu, \"gbps\": %.1f}\n", bytes,
              2.0 * bytes / (median * 1e-6) / 1e9);
  CHECK_CUDA(cudaFree(src));
  CHECK_CUDA(cudaFree(dst));
  CHECK_CUBLAS(cublasDestroy(handle));
  return 0;
}
