//===- InvokeTest.cpp - calling compiled functions through the C API -----===//
//
// Every case runs on the JIT-compiled and the ahead-of-time module. Values
// are checked against the same IEEE operations done here (exact: one
// rounding each, no fast-math in the module).
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <vector>

using namespace dqrt_test;

namespace {

class Invoke : public ::testing::TestWithParam<const char *> {
protected:
  void SetUp() override {
    runtime = makeRuntime();
    module = loadModule(runtime.get(), GetParam());
    ASSERT_TRUE(module);
  }
  RuntimePtr runtime;
  ModulePtr module;
};

std::vector<float> randomFloats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist;
  std::vector<float> values(n);
  for (float &v : values)
    v = dist(rng);
  return values;
}

TEST_P(Invoke, AddMatchesHostArithmeticAndKeepsInputs) {
  dqrt_function add = lookup(module.get(), "add");
  std::vector<float> a = randomFloats(6, 1), b = randomFloats(6, 2);
  const std::vector<float> a0 = a, b0 = b;
  int64_t shape[] = {2, 3};
  dqrt_buffer_view args[] = {{DQRT_F32, 2, shape, a.data()},
                             {DQRT_F32, 2, shape, b.data()}};
  dqrt_buffer result = nullptr;
  Status s(dqrt_function_invoke(add, args, 2, &result, 1));
  ASSERT_TRUE(s.ok()) << s.message();
  BufferPtr owned(result);
  EXPECT_EQ(dqrt_buffer_dtype(result), DQRT_F32);
  ASSERT_EQ(dqrt_buffer_rank(result), 2);
  EXPECT_EQ(dqrt_buffer_shape(result)[0], 2);
  EXPECT_EQ(dqrt_buffer_shape(result)[1], 3);
  ASSERT_EQ(dqrt_buffer_num_elements(result), 6u);
  const float *c = static_cast<const float *>(dqrt_buffer_data(result));
  for (size_t i = 0; i < 6; ++i)
    EXPECT_EQ(c[i], a0[i] + b0[i]) << i;
  // The caller's buffers are views: never written.
  EXPECT_EQ(a, a0);
  EXPECT_EQ(b, b0);
  EXPECT_NE(dqrt_buffer_data(result), static_cast<void *>(a.data()));
  EXPECT_NE(dqrt_buffer_data(result), static_cast<void *>(b.data()));
}

TEST_P(Invoke, ResultsAreIndependentAndOwnedByTheCaller) {
  dqrt_function add = lookup(module.get(), "add");
  std::vector<float> a = randomFloats(6, 3), b = randomFloats(6, 4);
  int64_t shape[] = {2, 3};
  dqrt_buffer_view args[] = {{DQRT_F32, 2, shape, a.data()},
                             {DQRT_F32, 2, shape, b.data()}};
  dqrt_buffer first = nullptr, second = nullptr;
  Status s1(dqrt_function_invoke(add, args, 2, &first, 1));
  Status s2(dqrt_function_invoke(add, args, 2, &second, 1));
  ASSERT_TRUE(s1.ok() && s2.ok()) << s1.message() << s2.message();
  EXPECT_NE(dqrt_buffer_data(first), dqrt_buffer_data(second));
  float *f = static_cast<float *>(dqrt_buffer_data(first));
  f[0] = 1234.5f; // writable, and only this buffer changes
  EXPECT_EQ(static_cast<float *>(dqrt_buffer_data(second))[0], a[0] + b[0]);
  // Results outlive the module and the runtime that made them.
  module.reset();
  runtime.reset();
  EXPECT_EQ(static_cast<float *>(dqrt_buffer_data(second))[5], a[5] + b[5]);
  dqrt_buffer_destroy(first);
  dqrt_buffer_destroy(second);
  dqrt_buffer_destroy(nullptr); // no-op
}

TEST_P(Invoke, AliasedResultIsCopied) {
  dqrt_function ident = lookup(module.get(), "ident");
  std::vector<int32_t> a = {3, -1, 4, -1, 5};
  int64_t shape[] = {5};
  dqrt_buffer_view arg = {DQRT_I32, 1, shape, a.data()};
  dqrt_buffer result = nullptr;
  Status s(dqrt_function_invoke(ident, &arg, 1, &result, 1));
  ASSERT_TRUE(s.ok()) << s.message();
  BufferPtr owned(result);
  ASSERT_NE(dqrt_buffer_data(result), static_cast<void *>(a.data()));
  a[0] = 99; // the result must not follow the caller's buffer
  const int32_t *r = static_cast<const int32_t *>(dqrt_buffer_data(result));
  EXPECT_EQ(std::vector<int32_t>(r, r + 5),
            (std::vector<int32_t>{3, -1, 4, -1, 5}));
}

TEST_P(Invoke, DynamicDimsAndTwoResults) {
  dqrt_function sq = lookup(module.get(), "square_double");
  for (int64_t rows : {int64_t(1), int64_t(3), int64_t(0)}) {
    std::vector<double> a(rows * 4);
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = 0.75 * double(i) - 2.5;
    int64_t shape[] = {rows, 4};
    dqrt_buffer_view arg = {DQRT_F64, 2, shape, a.data()};
    dqrt_buffer results[2] = {nullptr, nullptr};
    Status s(dqrt_function_invoke(sq, &arg, 1, results, 2));
    ASSERT_TRUE(s.ok()) << s.message();
    BufferPtr square(results[0]), twice(results[1]);
    for (dqrt_buffer r : results) {
      ASSERT_EQ(dqrt_buffer_rank(r), 2);
      EXPECT_EQ(dqrt_buffer_shape(r)[0], rows);
      EXPECT_EQ(dqrt_buffer_num_elements(r), size_t(rows * 4));
    }
    auto *s0 = static_cast<const double *>(dqrt_buffer_data(results[0]));
    auto *s1 = static_cast<const double *>(dqrt_buffer_data(results[1]));
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(s0[i], a[i] * a[i]);
      EXPECT_EQ(s1[i], a[i] + a[i]);
    }
  }
}

TEST_P(Invoke, ZeroDimensionalResult) {
  dqrt_function sum = lookup(module.get(), "sum");
  std::vector<int64_t> a = {int64_t(1) << 40, -7, 123456789,
                            -(int64_t(1) << 33)};
  int64_t shape[] = {4};
  dqrt_buffer_view arg = {DQRT_I64, 1, shape, a.data()};
  dqrt_buffer result = nullptr;
  Status s(dqrt_function_invoke(sum, &arg, 1, &result, 1));
  ASSERT_TRUE(s.ok()) << s.message();
  BufferPtr owned(result);
  EXPECT_EQ(dqrt_buffer_rank(result), 0);
  EXPECT_EQ(dqrt_buffer_num_elements(result), 1u);
  EXPECT_EQ(*static_cast<const int64_t *>(dqrt_buffer_data(result)),
            a[0] + a[1] + a[2] + a[3]);
}

TEST_P(Invoke, ChecksArgumentsAndNamesThem) {
  dqrt_function add = lookup(module.get(), "add");
  std::vector<float> a(6, 1.0f);
  std::vector<double> d(6, 1.0);
  int64_t shape[] = {2, 3}, transposed[] = {3, 2};
  dqrt_buffer result = nullptr;
  auto invoke = [&](std::vector<dqrt_buffer_view> args, size_t numResults) {
    return std::make_unique<Status>(dqrt_function_invoke(
        add, args.data(), args.size(), &result, numResults));
  };
  dqrt_buffer_view good = {DQRT_F32, 2, shape, a.data()};

  auto count = invoke({good}, 1);
  EXPECT_EQ(count->code(), DQRT_INVALID_ARGUMENT);
  EXPECT_EQ(count->message(), "'add' takes 2 argument(s), got 1");
  auto results = invoke({good, good}, 2);
  EXPECT_EQ(results->message(),
            "'add' returns 1 result(s), space was given for 2");
  auto wrongShape = invoke({good, {DQRT_F32, 2, transposed, a.data()}}, 1);
  EXPECT_EQ(wrongShape->code(), DQRT_INVALID_ARGUMENT);
  EXPECT_EQ(wrongShape->message(), "argument #1 of 'add': expected "
                                   "tensor<2x3xf32>, got tensor<3x2xf32>");
  auto wrongType = invoke({{DQRT_F64, 2, shape, d.data()}, good}, 1);
  EXPECT_EQ(wrongType->message(), "argument #0 of 'add': expected "
                                  "tensor<2x3xf32>, got tensor<2x3xf64>");
  auto wrongRank = invoke({good, {DQRT_F32, 1, shape, a.data()}}, 1);
  EXPECT_EQ(wrongRank->message(), "argument #1 of 'add': expected "
                                  "tensor<2x3xf32>, got tensor<2xf32>");
  auto unknownType =
      invoke({good, {static_cast<dqrt_dtype>(42), 2, shape, a.data()}}, 1);
  EXPECT_EQ(unknownType->message(), "argument #1 of 'add': expected "
                                    "tensor<2x3xf32>, got an unknown element "
                                    "type");
  auto noData = invoke({good, {DQRT_F32, 2, shape, nullptr}}, 1);
  EXPECT_EQ(noData->message(), "argument #1 of 'add' has no data");
  auto noShape = invoke({good, {DQRT_F32, 2, nullptr, a.data()}}, 1);
  EXPECT_EQ(noShape->message(), "argument #1 of 'add': invalid rank or shape");
  auto negativeRank = invoke({{DQRT_F32, -1, shape, a.data()}, good}, 1);
  EXPECT_EQ(negativeRank->message(),
            "argument #0 of 'add': invalid rank or shape");
  EXPECT_EQ(result, nullptr); // nothing was returned by a failed call

  Status nullFunction(dqrt_function_invoke(nullptr, &good, 1, &result, 1));
  EXPECT_EQ(nullFunction.message(), "function must not be NULL");
  Status nullArgs(dqrt_function_invoke(add, nullptr, 2, &result, 1));
  EXPECT_EQ(nullArgs.message(), "args must not be NULL");
  dqrt_buffer_view two[] = {good, good};
  Status nullResults(dqrt_function_invoke(add, two, 2, nullptr, 1));
  EXPECT_EQ(nullResults.message(), "results must not be NULL");
}

INSTANTIATE_TEST_SUITE_P(JITAndAOT, Invoke,
                         ::testing::Values("functions.ll.mlir",
                                           "functions.so"));

/// num_threads reaches OpenMP: each element records the thread that ran it.
class Threads : public ::testing::TestWithParam<const char *> {};

TEST_P(Threads, NumThreadsSetsTheTeamSize) {
  for (int32_t threads : {1, 2, 3, 1}) {
    RuntimePtr runtime = makeRuntime(threads);
    ModulePtr module = loadModule(runtime.get(), GetParam());
    ASSERT_TRUE(module);
    dqrt_function f = lookup(module.get(), "thread_ids");
    dqrt_buffer result = nullptr;
    Status s(dqrt_function_invoke(f, nullptr, 0, &result, 1));
    ASSERT_TRUE(s.ok()) << s.message();
    BufferPtr owned(result);
    auto *ids = static_cast<const int32_t *>(dqrt_buffer_data(result));
    std::set<int32_t> seen(ids, ids + 64);
    std::set<int32_t> want;
    for (int32_t t = 0; t < threads; ++t)
      want.insert(t);
    EXPECT_EQ(seen, want) << threads << " threads";
  }
}

INSTANTIATE_TEST_SUITE_P(JITAndAOT, Threads,
                         ::testing::Values("threads.ll.mlir", "threads.so"));

} // namespace
