/* Read-only memory bandwidth over a buffer of BYTES bytes, split across
 * THREADS OpenMP threads (each sums its own contiguous slice with 512-bit
 * or narrower vectors, as the compiler chooses). Prints the median GB/s of
 * RUNS passes after one warm-up pass: the floor a kernel that streams the
 * same bytes cannot beat.
 *
 *   readbw BYTES THREADS RUNS
 */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: readbw BYTES THREADS RUNS\n");
    return 2;
  }
  long bytes = atol(argv[1]);
  int threads = atoi(argv[2]), runs = atoi(argv[3]);
  if (bytes < 64 || threads <= 0 || runs <= 0) {
    fprintf(stderr, "readbw: bad arguments\n");
    return 2;
  }
  long words = bytes / 8;
  uint64_t *buf = aligned_alloc(64, (words * 8 + 63) / 64 * 64);
  double *t = malloc(sizeof(double) * runs);
  if (!buf || !t) {
    fprintf(stderr, "readbw: out of memory\n");
    return 1;
  }
  for (long i = 0; i < words; ++i)
    buf[i] = (uint64_t)i * 2654435761u;
  omp_set_num_threads(threads);
  uint64_t sink = 0;
  for (int r = -1; r < runs; ++r) {
    double start = now_s();
    uint64_t total = 0;
#pragma omp parallel for reduction(^ : total) schedule(static)
    for (long i = 0; i < words; ++i)
      total ^= buf[i];
    double end = now_s();
    sink ^= total;
    if (r >= 0)
      t[r] = end - start;
  }
  qsort(t, runs, sizeof(double), cmp);
  printf("{\"median_gbs\": %.3f, \"max_gbs\": %.3f, \"median_us\": %.3f, "
         "\"bytes\": %ld, \"sink\": %lu}\n",
         bytes / t[runs / 2] * 1e-9, bytes / t[0] * 1e-9, t[runs / 2] * 1e6,
         bytes, (unsigned long)(sink & 1));
  return 0;
}
