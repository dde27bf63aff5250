/* OpenBLAS fp32 baseline: y = x @ W^T with W [N, K] row-major, x [M, K].
 * M = 1 uses sgemv, larger M sgemm. Prints one JSON line with the median
 * of the timed runs (after one warm-up run).
 *
 *   blas_bench N K M THREADS RUNS
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void openblas_set_num_threads(int);

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: blas_bench N K M THREADS RUNS\n");
    return 2;
  }
  long n = atol(argv[1]), k = atol(argv[2]), m = atol(argv[3]);
  int threads = atoi(argv[4]), runs = atoi(argv[5]);
  if (n <= 0 || k <= 0 || m <= 0 || threads <= 0 || runs <= 0) {
    fprintf(stderr, "blas_bench: arguments must be positive\n");
    return 2;
  }
  openblas_set_num_threads(threads);
  float *w = malloc(sizeof(float) * n * k);
  float *x = malloc(sizeof(float) * m * k);
  float *y = malloc(sizeof(float) * m * n);
  double *t = malloc(sizeof(double) * runs);
  if (!w || !x || !y || !t) {
    fprintf(stderr, "blas_bench: out of memory\n");
    return 1;
  }
  srand(1);
  for (long i = 0; i < n * k; ++i)
    w[i] = (float)rand() / RAND_MAX - 0.5f;
  for (long i = 0; i < m * k; ++i)
    x[i] = (float)rand() / RAND_MAX - 0.5f;
  for (int r = -1; r < runs; ++r) {
    double start = now_us();
    if (m == 1)
      cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0f, w, k, x, 1, 0.0f, y,
                  1);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x, k,
                  w, k, 0.0f, y, n);
    if (r >= 0)
      t[r] = now_us() - start;
  }
  double sum = 0;
  for (int r = 0; r < runs; ++r)
    sum += t[r];
  qsort(t, runs, sizeof(double), cmp);
  printf("{\"median_us\": %.3f, \"min_us\": %.3f, \"mean_us\": %.3f, "
         "\"runs\": %d, \"checksum\": %.6g}\n",
         t[runs / 2], t[0], sum / runs, runs, (double)y[0] + y[m * n - 1]);
  return 0;
}
