/*===- generate.c - text generation against the dqrt C API ---------------===*\
|*                                                                            *|
|* The generation loop of examples/llm/generate.py, in C: the compiled        *|
|* prefill and decode functions of examples/llm/export_llm.py, run through    *|
|* dqrt.h alone, with the KV caches tied to their results so that every step  *|
|* updates them in place. Token ids in, token ids out; tokenizing is left to  *|
|* the caller (docs/llm.md shows a pipe through the model's tokenizer).       *|
|*                                                                            *|
|*   dq-llm-generate --prefill prefill.ll.mlir --decode decode.ll.mlir        *|
|*       [--max-new-tokens 32] [--top-k K] [--temperature T] [--seed S]       *|
|*       [--eos ID] [--threads N] TOKEN_ID...                                 *|
|*                                                                            *|
|* Greedy unless --top-k or --temperature is given. Prints the new ids on     *|
|* stdout, one line, and the prompt and decode speeds on stderr.              *|
\*===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 199309L

#include "dqrt/dqrt.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct Options {
  const char *prefillPath;
  const char *decodePath;
  long maxNewTokens;
  long topK;
  double temperature;
  long seed;
  long eos;
  long threads;
  long *prompt;
  size_t promptLength;
} Options;

static void usage(FILE *out) {
  fprintf(out, "usage: dq-llm-generate [--prefill FILE] --decode FILE\n"
               "           [--max-new-tokens N] [--top-k K] [--temperature T]\n"
               "           [--seed S] [--eos ID] [--threads N] TOKEN_ID...\n");
}

/* Prints "dq-llm-generate: error: <what>: <dqrt message>", frees `status`
 * and returns 1 (the exit code). */
static int fail(const char *what, dqrt_status status) {
  fprintf(stderr, "dq-llm-generate: error: %s%s%s\n", what, status ? ": " : "",
          status ? dqrt_status_get_message(status) : "");
  dqrt_status_free(status);
  return 1;
}

static int parseLong(const char *flag, const char *text, long min, long *out) {
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno || end == text || *end || value < min) {
    fprintf(stderr,
            "dq-llm-generate: error: %s must be an integer >= %ld, got "
            "'%s'\n",
            flag, min, text);
    return 0;
  }
  *out = value;
  return 1;
}

/* Returns 0 after printing why when the command line is wrong. */
static int parseOptions(int argc, char **argv, Options *o) {
  memset(o, 0, sizeof(*o));
  o->maxNewTokens = 32;
  o->eos = -1;
  o->threads = 2;
  o->prompt = calloc((size_t)argc, sizeof(long));
  if (!o->prompt)
    return 0;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
      usage(stdout);
      exit(0);
    }
    if (arg[0] != '-' || (arg[1] >= '0' && arg[1] <= '9')) {
      if (!parseLong("a token id", arg, 0, &o->prompt[o->promptLength++]))
        return 0;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "dq-llm-generate: error: %s needs a value\n", arg);
      return 0;
    }
    const char *value = argv[++i];
    /* The integer options: flag, least value, destination. */
    const struct {
      const char *flag;
      long min;
      long *out;
    } integers[] = {
        {"--max-new-tokens", 1, &o->maxNewTokens},
        {"--top-k", 0, &o->topK},
        {"--seed", 0, &o->seed},
        {"--eos", 0, &o->eos},
        {"--threads", 0, &o->threads},
    };
    int matched = 0;
    for (size_t j = 0; j < sizeof(integers) / sizeof(integers[0]); ++j) {
      if (strcmp(arg, integers[j].flag))
        continue;
      if (!parseLong(arg, value, integers[j].min, integers[j].out))
        return 0;
      matched = 1;
    }
    if (matched)
      continue;
    if (!strcmp(arg, "--prefill")) {
      o->prefillPath = value;
    } else if (!strcmp(arg, "--decode")) {
      o->decodePath = value;
    } else if (!strcmp(arg, "--temperature")) {
      char *end;
      o->temperature = strtod(value, &end);
      if (end == value || *end || !(o->temperature > 0) ||
          !isfinite(o->temperature)) {
        fprintf(stderr,
                "dq-llm-generate: error: --temperature must be a number > "
                "0, got '%s'\n",
                value);
        return 0;
      }
    } else {
      fprintf(stderr, "dq-llm-generate: error: unknown option '%s'\n", arg);
      usage(stderr);
      return 0;
    }
  }
  if (!o->decodePath) {
    fprintf(stderr, "dq-llm-generate: error: --decode is required\n");
    return 0;
  }
  if (!o->promptLength) {
    fprintf(stderr, "dq-llm-generate: error: no prompt token ids given\n");
    return 0;
  }
  return 1;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* xorshift64*: a small generator whose sequence does not depend on libc. */
static double uniform(unsigned long long *state) {
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  return (double)((*state * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
}

/* The next token from `logits`: the argmax when greedy, else a draw from
 * softmax(logits / temperature) restricted to the top-k logits. */
static long pick(const float *logits, long vocab, const Options *o,
                 unsigned long long *rng, double *weights) {
  long best = 0;
  for (long i = 1; i < vocab; ++i)
    if (logits[i] > logits[best])
      best = i;
  if (!o->topK && o->temperature == 0)
    return best;
  double temperature = o->temperature > 0 ? o->temperature : 1.0;
  /* The k-th largest logit is the cut; ties at the cut are all kept. */
  float cut = -INFINITY;
  if (o->topK > 0 && o->topK < vocab) {
    float *sorted = malloc((size_t)vocab * sizeof(float));
    if (!sorted)
      return best;
    memcpy(sorted, logits, (size_t)vocab * sizeof(float));
    /* Partial selection: k passes of a max-search are enough for small k. */
    for (long k = 0; k < o->topK; ++k) {
      long m = k;
      for (long i = k + 1; i < vocab; ++i)
        if (sorted[i] > sorted[m])
          m = i;
      float t = sorted[k];
      sorted[k] = sorted[m];
      sorted[m] = t;
    }
    cut = sorted[o->topK - 1];
    free(sorted);
  }
  double total = 0;
  for (long i = 0; i < vocab; ++i) {
    weights[i] = logits[i] >= cut
                     ? exp(((double)logits[i] - logits[best]) / temperature)
                     : 0.0;
    total += weights[i];
  }
  double target = uniform(rng) * total;
  for (long i = 0; i < vocab; ++i) {
    if (weights[i] > 0 && (target -= weights[i]) <= 0)
      return i;
  }
  return best;
}

typedef struct Model {
  dqrt_runtime runtime;
  dqrt_module prefillModule, decodeModule;
  dqrt_function prefill, decode;
  int64_t keyShape[4];   /* [blocks, kv_heads, head_dim, max_len] */
  int64_t valueShape[4]; /* [blocks, kv_heads, max_len, head_dim] */
  int64_t prefillLength; /* 0 without a prefill function */
  int64_t vocab;
} Model;

/* Loads the modules and checks the signatures that export_llm.py gives. */
static int loadModel(const Options *o, Model *m) {
  dqrt_runtime_options options;
  dqrt_runtime_options_init(&options);
  options.num_threads = (int32_t)o->threads;
  dqrt_status s = dqrt_runtime_create(&options, &m->runtime);
  if (s)
    return fail("cannot create the runtime", s);
  if ((s = dqrt_module_load(m->runtime, o->decodePath, &m->decodeModule)))
    return fail(o->decodePath, s);
  if ((s = dqrt_module_lookup(m->decodeModule, "decode", &m->decode)))
    return fail(o->decodePath, s);
  dqrt_dtype dtype;
  int32_t rank;
  int64_t dims[4];
  if (dqrt_function_num_args(m->decode) != 4 ||
      dqrt_function_num_results(m->decode) != 3)
    return fail("decode: expected (token, position, k_cache, v_cache) -> "
                "(logits, k_cache, v_cache), as export_llm.py writes it",
                NULL);
  if ((s = dqrt_function_arg_type(m->decode, 2, &dtype, &rank, m->keyShape, 4)))
    return fail("decode's key cache argument", s);
  if (dtype != DQRT_F32 || rank != 4)
    return fail("decode: the caches must be f32 of rank 4", NULL);
  if ((s = dqrt_function_arg_type(m->decode, 3, &dtype, &rank, m->valueShape,
                                  4)))
    return fail("decode's value cache argument", s);
  if (dtype != DQRT_F32 || rank != 4)
    return fail("decode: the caches must be f32 of rank 4", NULL);
  if ((s = dqrt_function_result_type(m->decode, 0, &dtype, &rank, dims, 2)))
    return fail("decode's logits", s);
  if (dtype != DQRT_F32 || rank != 2 || dims[1] <= 0)
    return fail("decode: the logits must be f32 [1, vocab]", NULL);
  m->vocab = dims[1];
  if (dqrt_function_result_tied_arg(m->decode, 1) != 2 ||
      dqrt_function_result_tied_arg(m->decode, 2) != 3)
    fprintf(stderr, "dq-llm-generate: note: decode's caches are not tied to "
                    "its results, so every step copies them\n");
  if (!o->prefillPath)
    return 0;
  if ((s = dqrt_module_load(m->runtime, o->prefillPath, &m->prefillModule)))
    return fail(o->prefillPath, s);
  if ((s = dqrt_module_lookup(m->prefillModule, "prefill", &m->prefill)))
    return fail(o->prefillPath, s);
  if ((s = dqrt_function_arg_type(m->prefill, 0, &dtype, &rank, dims, 2)))
    return fail("prefill's token argument", s);
  if (rank != 2 || dims[1] <= 0)
    return fail("prefill: expected ids of shape [1, P]", NULL);
  m->prefillLength = dims[1];
  return 0;
}

static void destroyModel(Model *m) {
  if (m->prefillModule)
    dqrt_module_destroy(m->prefillModule);
  if (m->decodeModule)
    dqrt_module_destroy(m->decodeModule);
  if (m->runtime)
    dqrt_runtime_destroy(m->runtime);
}

/* Runs `function` and copies its logits (result 0) into `logits`. The
 * cache results are views of the caller's caches: destroying them frees
 * only the views. */
static dqrt_status step(dqrt_function function, const dqrt_buffer_view *args,
                        size_t numArgs, float *logits, int64_t vocab) {
  dqrt_buffer results[3] = {NULL, NULL, NULL};
  dqrt_status s = dqrt_function_invoke(function, args, numArgs, results, 3);
  if (!s)
    memcpy(logits, dqrt_buffer_data(results[0]), (size_t)vocab * sizeof(float));
  for (int i = 0; i < 3; ++i)
    if (results[i])
      dqrt_buffer_destroy(results[i]);
  return s;
}

int main(int argc, char **argv) {
  Options o;
  if (!parseOptions(argc, argv, &o)) {
    free(o.prompt);
    return 2;
  }
  Model m;
  memset(&m, 0, sizeof(m));
  int rc = loadModel(&o, &m);
  float *k = NULL, *v = NULL, *logits = NULL;
  double *weights = NULL;
  long *out = NULL;
  if (rc)
    goto done;
  int64_t maxLength = m.valueShape[2];
  if ((int64_t)o.promptLength + o.maxNewTokens > maxLength) {
    fprintf(stderr,
            "dq-llm-generate: error: the prompt (%zu tokens) and %ld new "
            "tokens exceed the KV cache (%lld positions)\n",
            o.promptLength, o.maxNewTokens, (long long)maxLength);
    rc = 1;
    goto done;
  }
  size_t keyElements = 1, valueElements = 1;
  for (int i = 0; i < 4; ++i) {
    keyElements *= (size_t)m.keyShape[i];
    valueElements *= (size_t)m.valueShape[i];
  }
  k = calloc(keyElements, sizeof(float));
  v = calloc(valueElements, sizeof(float));
  logits = malloc((size_t)m.vocab * sizeof(float));
  weights = malloc((size_t)m.vocab * sizeof(double));
  out = malloc((size_t)o.maxNewTokens * sizeof(long));
  if (!k || !v || !logits || !weights || !out) {
    rc = fail("out of memory for the KV caches", NULL);
    goto done;
  }

  int64_t token[1], position[1];
  int64_t tokenShape[2] = {1, 1}, positionShape[1] = {1};
  dqrt_buffer_view decodeArgs[4] = {
      {DQRT_I64, 2, tokenShape, token},
      {DQRT_I64, 1, positionShape, position},
      {DQRT_F32, 4, m.keyShape, k},
      {DQRT_F32, 4, m.valueShape, v},
  };
  dqrt_status s = NULL;

  /* The prompt: its first P tokens through prefill at once when it has that
   * many, the rest one at a time through decode. */
  double start = now();
  int64_t pos = 0;
  if (m.prefill && (int64_t)o.promptLength >= m.prefillLength) {
    int64_t *ids = malloc((size_t)m.prefillLength * sizeof(int64_t));
    if (!ids) {
      rc = fail("out of memory", NULL);
      goto done;
    }
    for (int64_t i = 0; i < m.prefillLength; ++i)
      ids[i] = o.prompt[i];
    int64_t idsShape[2] = {1, m.prefillLength};
    dqrt_buffer_view prefillArgs[3] = {
        {DQRT_I64, 2, idsShape, ids},
        decodeArgs[2],
        decodeArgs[3],
    };
    s = step(m.prefill, prefillArgs, 3, logits, m.vocab);
    free(ids);
    if (s) {
      rc = fail("prefill", s);
      goto done;
    }
    pos = m.prefillLength;
  }
  for (; pos < (int64_t)o.promptLength; ++pos) {
    token[0] = o.prompt[pos];
    position[0] = pos;
    if ((s = step(m.decode, decodeArgs, 4, logits, m.vocab))) {
      rc = fail("decode (prompt)", s);
      goto done;
    }
  }
  double promptSeconds = now() - start;

  unsigned long long rng =
      (unsigned long long)o.seed * 0x9E3779B97F4A7C15ULL + 1;
  long generated = 0, decodeSteps = 0;
  start = now();
  while (generated < o.maxNewTokens) {
    long next = pick(logits, m.vocab, &o, &rng, weights);
    out[generated++] = next;
    if (next == o.eos || generated == o.maxNewTokens)
      break;
    token[0] = next;
    position[0] = pos++;
    if ((s = step(m.decode, decodeArgs, 4, logits, m.vocab))) {
      rc = fail("decode", s);
      goto done;
    }
    ++decodeSteps;
  }
  double decodeSeconds = now() - start;

  for (long i = 0; i < generated; ++i)
    printf(i ? " %ld" : "%ld", out[i]);
  printf("\n");
  /* decode updates the caches in place; prefill builds them by a
   * concatenation, which costs one copy of each per prompt (docs/llm.md). */
  fprintf(stderr,
          "prompt: %zu tokens, %.1f tokens/s; generated: %ld tokens, "
          "decode: %.2f steps/s (%ld threads; cache copies: decode %zu, "
          "prefill %zu)\n",
          o.promptLength, (double)o.promptLength / promptSeconds, generated,
          decodeSteps ? (double)decodeSteps / decodeSeconds : 0.0, o.threads,
          dqrt_function_num_tied_copies(m.decode),
          m.prefill ? dqrt_function_num_tied_copies(m.prefill) : 0);

done:
  free(out);
  free(weights);
  free(logits);
  free(v);
  free(k);
  free(o.prompt);
  destroyModel(&m);
  return rc;
}
