//===- APITest.cpp - the dqrt C API: statuses, NULLs, lookup --------------===//

#include "TestSupport.h"

#include <cstdio>
#include <fstream>

using namespace dqrt_test;

namespace {

TEST(Status, SuccessIsNull) {
  EXPECT_EQ(dqrt_status_get_code(nullptr), DQRT_OK);
  EXPECT_STREQ(dqrt_status_get_message(nullptr), "");
  dqrt_status_free(nullptr); // no-op
}

TEST(DType, NamesAndSizes) {
  struct Expected {
    dqrt_dtype dtype;
    const char *name;
    size_t size;
  } table[] = {{DQRT_F32, "f32", 4},   {DQRT_F16, "f16", 2},
               {DQRT_BF16, "bf16", 2}, {DQRT_F64, "f64", 8},
               {DQRT_I1, "i1", 1},     {DQRT_I8, "i8", 1},
               {DQRT_I32, "i32", 4},   {DQRT_I64, "i64", 8}};
  for (const Expected &e : table) {
    EXPECT_STREQ(dqrt_dtype_name(e.dtype), e.name);
    EXPECT_EQ(dqrt_dtype_size(e.dtype), e.size) << e.name;
  }
  EXPECT_EQ(dqrt_dtype_name(static_cast<dqrt_dtype>(8)), nullptr);
  EXPECT_EQ(dqrt_dtype_name(static_cast<dqrt_dtype>(-1)), nullptr);
  EXPECT_EQ(dqrt_dtype_size(static_cast<dqrt_dtype>(99)), 0u);
}

TEST(Runtime, OptionsDefaults) {
  dqrt_runtime_options options;
  options.device = DQRT_DEVICE_CUDA;
  options.num_threads = 7;
  options.jit_opt_level = 0;
  dqrt_runtime_options_init(&options);
  EXPECT_EQ(options.device, DQRT_DEVICE_CPU);
  EXPECT_EQ(options.num_threads, 0);
  EXPECT_EQ(options.jit_opt_level, 3);
  dqrt_runtime_options_init(nullptr); // no-op
}

TEST(Runtime, CreateRejectsBadOptions) {
  dqrt_runtime_options options;
  dqrt_runtime_options_init(&options);
  dqrt_runtime runtime = nullptr;
  {
    Status s(dqrt_runtime_create(nullptr, &runtime));
    EXPECT_EQ(s.code(), DQRT_INVALID_ARGUMENT);
    EXPECT_EQ(s.message(), "options must not be NULL");
  }
  {
    Status s(dqrt_runtime_create(&options, nullptr));
    EXPECT_EQ(s.code(), DQRT_INVALID_ARGUMENT);
    EXPECT_EQ(s.message(), "out must not be NULL");
  }
  options.num_threads = -1;
  {
    Status s(dqrt_runtime_create(&options, &runtime));
    EXPECT_EQ(s.code(), DQRT_INVALID_ARGUMENT);
    EXPECT_EQ(s.message(), "num_threads must be >= 0, got -1");
  }
  options.num_threads = 0;
  options.jit_opt_level = 4;
  {
    Status s(dqrt_runtime_create(&options, &runtime));
    EXPECT_EQ(s.code(), DQRT_INVALID_ARGUMENT);
    EXPECT_EQ(s.message(), "jit_opt_level must be 0..3, got 4");
  }
  options.jit_opt_level = 3;
  options.device = static_cast<dqrt_device_kind>(5);
  {
    Status s(dqrt_runtime_create(&options, &runtime));
    EXPECT_EQ(s.code(), DQRT_INVALID_ARGUMENT);
    EXPECT_EQ(s.message(), "unknown device kind 5");
  }
  EXPECT_EQ(runtime, nullptr);   // never written on failure
  dqrt_runtime_destroy(nullptr); // no-op
}

TEST(Runtime, CudaWithoutDriverIsUnavailable) {
  dqrt_runtime_options options;
  dqrt_runtime_options_init(&options);
  options.device = DQRT_DEVICE_CUDA;
  dqrt_runtime runtime = nullptr;
  Status s(dqrt_runtime_create(&options, &runtime));
  if (s.ok()) {
    dqrt_runtime_destroy(runtime);
    GTEST_SKIP() << "a CUDA device is present";
  }
  EXPECT_EQ(s.code(), DQRT_UNAVAILABLE);
  EXPECT_EQ(
      s.message().rfind("no CUDA driver/device found for device 'cuda'", 0), 0u)
      << s.message();
}

TEST(Module, LoadErrors) {
  RuntimePtr runtime = makeRuntime();
  dqrt_module module = nullptr;
  {
    Status s(dqrt_module_load(nullptr, "x.mlir", &module));
    EXPECT_EQ(s.code(), DQRT_INVALID_ARGUMENT);
    EXPECT_EQ(s.message(), "runtime must not be NULL");
  }
  {
    Status s(dqrt_module_load(runtime.get(), nullptr, &module));
    EXPECT_EQ(s.message(), "path must not be NULL");
  }
  {
    Status s(dqrt_module_load(runtime.get(), "x.mlir", nullptr));
    EXPECT_EQ(s.message(), "out must not be NULL");
  }
  {
    Status s(dqrt_module_load(runtime.get(), "/nonexistent/m.mlir", &module));
    EXPECT_EQ(s.code(), DQRT_NOT_FOUND);
    EXPECT_EQ(s.message(), "module file '/nonexistent/m.mlir' does not exist");
  }
  std::string bad = modulePath("api-test-bad.mlir");
  std::ofstream(bad) << "llvm.func @f( {\n";
  {
    Status s(dqrt_module_load(runtime.get(), bad.c_str(), &module));
    EXPECT_EQ(s.code(), DQRT_INVALID_MODULE);
    EXPECT_EQ(s.message().rfind("cannot parse module '" + bad + "'", 0), 0u)
        << s.message();
  }
  std::string badSo = modulePath("api-test-bad.so");
  std::ofstream(badSo) << "not an ELF file";
  {
    Status s(dqrt_module_load(runtime.get(), badSo.c_str(), &module));
    EXPECT_EQ(s.code(), DQRT_INVALID_MODULE);
    EXPECT_EQ(s.message().rfind("cannot load shared object '" + badSo + "'", 0),
              0u)
        << s.message();
  }
  EXPECT_EQ(module, nullptr);
  std::remove(bad.c_str());
  std::remove(badSo.c_str());
  dqrt_module_destroy(nullptr); // no-op
}

class Lookup : public ::testing::TestWithParam<const char *> {};

TEST_P(Lookup, FindsFunctionsAndDescribesSignatures) {
  RuntimePtr runtime = makeRuntime();
  ModulePtr module = loadModule(runtime.get(), GetParam());
  ASSERT_TRUE(module);

  dqrt_function add = lookup(module.get(), "add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(lookup(module.get(), "add"), add); // cached, owned by the module
  EXPECT_EQ(dqrt_function_num_args(add), 2u);
  EXPECT_EQ(dqrt_function_num_results(add), 1u);

  dqrt_function sq = lookup(module.get(), "square_double");
  ASSERT_NE(sq, nullptr);
  EXPECT_EQ(dqrt_function_num_results(sq), 2u);
  dqrt_dtype dtype;
  int32_t rank = -1;
  Status rankOnly(dqrt_function_arg_type(sq, 0, &dtype, &rank, nullptr, 0));
  ASSERT_TRUE(rankOnly.ok()) << rankOnly.message();
  EXPECT_EQ(dtype, DQRT_F64);
  EXPECT_EQ(rank, 2);
  int64_t dims[2] = {0, 0};
  Status withDims(dqrt_function_result_type(sq, 1, nullptr, nullptr, dims, 2));
  ASSERT_TRUE(withDims.ok()) << withDims.message();
  EXPECT_EQ(dims[0], -1); // dynamic
  EXPECT_EQ(dims[1], 4);

  Status small(dqrt_function_arg_type(sq, 0, nullptr, nullptr, dims, 1));
  EXPECT_EQ(small.code(), DQRT_INVALID_ARGUMENT);
  EXPECT_EQ(small.message(), "dims holds 1 values, rank is 2");
  Status range(dqrt_function_result_type(sq, 2, &dtype, &rank, nullptr, 0));
  EXPECT_EQ(range.code(), DQRT_INVALID_ARGUMENT);
  EXPECT_EQ(range.message(), "result index 2 out of range (2)");
  Status null(dqrt_function_arg_type(nullptr, 0, &dtype, &rank, nullptr, 0));
  EXPECT_EQ(null.message(), "function must not be NULL");
  EXPECT_EQ(dqrt_function_num_args(nullptr), 0u);
  EXPECT_EQ(dqrt_function_num_results(nullptr), 0u);

  dqrt_function missing = nullptr;
  Status notFound(dqrt_module_lookup(module.get(), "sub", &missing));
  EXPECT_EQ(notFound.code(), DQRT_NOT_FOUND);
  EXPECT_EQ(notFound.message(), "function 'sub' not found in the module; "
                                "available: add, ident, square_double, sum");
  EXPECT_EQ(missing, nullptr);
  Status nullName(dqrt_module_lookup(module.get(), nullptr, &missing));
  EXPECT_EQ(nullName.message(), "name must not be NULL");
  Status nullModule(dqrt_module_lookup(nullptr, "add", &missing));
  EXPECT_EQ(nullModule.message(), "module must not be NULL");
}

INSTANTIATE_TEST_SUITE_P(JITAndAOT, Lookup,
                         ::testing::Values("functions.ll.mlir",
                                           "functions.so"));

} // namespace
