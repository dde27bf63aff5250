//===- CalibrationTest.cpp - dqrt_calibration_* and observed modules ------===//
//
// observed.mlir observes its [4, 3] input as layer "probe". Every case runs
// on the JIT-compiled and the ahead-of-time module; statistics are checked
// against XᵀX / T computed here in float64 (and read back with the
// statistics reader).
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include "dq/Calibration/Stats.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"

#include <cmath>
#include <random>
#include <vector>

using namespace dqrt_test;

namespace {

struct CalibrationDeleter {
  void operator()(dqrt_calibration c) const { dqrt_calibration_destroy(c); }
};
using CalibrationPtr = std::unique_ptr<dqrt_calibration_s, CalibrationDeleter>;

CalibrationPtr makeCalibration() {
  dqrt_calibration c = nullptr;
  Status status(dqrt_calibration_create(&c));
  EXPECT_TRUE(status.ok()) << status.message();
  return CalibrationPtr(c);
}

class Calibration : public ::testing::TestWithParam<const char *> {
protected:
  void SetUp() override {
    runtime = makeRuntime(1);
    module = loadModule(runtime.get(), GetParam());
    ASSERT_TRUE(module);
    function = lookup(module.get(), "observed");
    ASSERT_TRUE(function);
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("dq-calib", dir));
  }
  void TearDown() override {
    dqrt_status_free(dqrt_calibration_attach(nullptr));
    llvm::sys::fs::remove_directories(dir);
  }
  /// Calls @observed on x; returns the status and sets *result.
  dqrt_status call(std::vector<float> &x, BufferPtr *result) {
    int64_t shape[2] = {4, 3};
    dqrt_buffer_view view{DQRT_F32, 2, shape, x.data()};
    dqrt_buffer out = nullptr;
    dqrt_status status = dqrt_function_invoke(function, &view, 1, &out, 1);
    result->reset(out);
    return status;
  }
  std::string path(const char *name) { return (dir + "/" + name).str(); }

  RuntimePtr runtime;
  ModulePtr module;
  dqrt_function function = nullptr;
  llvm::SmallString<128> dir;
};

TEST_P(Calibration, AccumulatesGramMatrixOverInvocations) {
  CalibrationPtr calibration = makeCalibration();
  ASSERT_TRUE(Status(dqrt_calibration_attach(calibration.get())).ok());
  std::mt19937 rng(11);
  std::normal_distribution<float> dist;
  std::vector<double> sum(9, 0.0);
  for (int call_ = 0; call_ < 3; ++call_) {
    std::vector<float> x(12);
    for (float &v : x)
      v = dist(rng);
    for (int r = 0; r < 4; ++r)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          sum[i * 3 + j] += double(x[r * 3 + i]) * double(x[r * 3 + j]);
    BufferPtr result;
    Status status(call(x, &result));
    ASSERT_TRUE(status.ok()) << status.message();
    // The observation does not change what the function computes.
    auto *y = static_cast<const float *>(dqrt_buffer_data(result.get()));
    for (int i = 0; i < 12; ++i)
      EXPECT_EQ(y[i], x[i] + x[i]);
  }
  EXPECT_EQ(dqrt_calibration_num_layers(calibration.get()), 1u);
  std::string file = path("stats.safetensors");
  ASSERT_TRUE(Status(dqrt_calibration_write_stats(calibration.get(),
                                                  file.c_str(), "test"))
                  .ok());
  llvm::Expected<dq::StatsReader> reader = dq::StatsReader::open(file);
  ASSERT_TRUE(bool(reader)) << llvm::toString(reader.takeError());
  EXPECT_EQ(reader->getMetadata().at("producer"), "test");
  llvm::Expected<dq::LayerStats> layer = reader->read("probe");
  ASSERT_TRUE(bool(layer)) << llvm::toString(layer.takeError());
  EXPECT_EQ(layer->K, 3);
  EXPECT_EQ(layer->Tokens, 12);
  for (int i = 0; i < 9; ++i)
    // Float64 sums of 12 products of values of order 1, in another order.
    EXPECT_NEAR(layer->Hessian[i], sum[i] / 12, 1e-14) << i;
}

TEST_P(Calibration, DetachedObservationsAreIgnored) {
  CalibrationPtr calibration = makeCalibration();
  std::vector<float> x(12, 1.5f);
  BufferPtr result;
  ASSERT_TRUE(Status(call(x, &result)).ok());
  EXPECT_EQ(dqrt_calibration_num_layers(calibration.get()), 0u);
  Status status(dqrt_calibration_write_stats(
      calibration.get(), path("none.safetensors").c_str(), nullptr));
  EXPECT_EQ(status.code(), DQRT_INVALID_ARGUMENT);
  EXPECT_EQ(status.message().rfind("nothing was observed", 0), 0u)
      << status.message();
  EXPECT_FALSE(llvm::sys::fs::exists(path("none.safetensors")));
}

TEST_P(Calibration, NonFiniteObservationFailsTheInvocation) {
  CalibrationPtr calibration = makeCalibration();
  ASSERT_TRUE(Status(dqrt_calibration_attach(calibration.get())).ok());
  std::vector<float> x(12, 1.0f);
  x[7] = INFINITY;
  BufferPtr result;
  Status status(call(x, &result));
  EXPECT_EQ(status.code(), DQRT_INVALID_ARGUMENT);
  EXPECT_NE(status.message().find("'observed' failed: calibration: layer "
                                  "'probe'"),
            std::string::npos)
      << status.message();
  EXPECT_FALSE(result) << "a failed invocation hands out no result";
  // The next, clean invocation succeeds: the error was not left behind.
  std::vector<float> clean(12, 1.0f);
  EXPECT_TRUE(Status(call(clean, &result)).ok());
}

TEST_P(Calibration, DestroyingTheAttachedCalibrationDetachesIt) {
  CalibrationPtr calibration = makeCalibration();
  ASSERT_TRUE(Status(dqrt_calibration_attach(calibration.get())).ok());
  calibration.reset();
  std::vector<float> x(12, 2.0f);
  BufferPtr result;
  EXPECT_TRUE(Status(call(x, &result)).ok());
}

INSTANTIATE_TEST_SUITE_P(JITAndAOT, Calibration,
                         ::testing::Values("observed.ll.mlir", "observed.so"));

TEST(CalibrationAPI, NullArguments) {
  EXPECT_EQ(Status(dqrt_calibration_create(nullptr)).code(),
            DQRT_INVALID_ARGUMENT);
  EXPECT_EQ(Status(dqrt_calibration_write_stats(nullptr, "x", "p")).code(),
            DQRT_INVALID_ARGUMENT);
  EXPECT_EQ(dqrt_calibration_num_layers(nullptr), 0u);
  dqrt_calibration_destroy(nullptr); // No-op.
}

} // namespace
