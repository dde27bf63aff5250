//===- TestSupport.h - helpers for the C API tests --------------*- C++ -*-===//

#ifndef DQ_UNITTESTS_RUNTIME_TESTSUPPORT_H
#define DQ_UNITTESTS_RUNTIME_TESTSUPPORT_H

#include "dqrt/dqrt.h"

#include "gtest/gtest.h"

#include <memory>
#include <string>

namespace dqrt_test {

/// A module compiled at build time (unittests/Runtime/CMakeLists.txt).
inline std::string modulePath(const std::string &name) {
  return std::string(DQRT_TEST_MODULE_DIR) + "/" + name;
}

/// Takes ownership of a status; gives its code and message.
struct Status {
  explicit Status(dqrt_status status) : status(status) {}
  ~Status() { dqrt_status_free(status); }
  Status(const Status &) = delete;
  Status &operator=(const Status &) = delete;
  bool ok() const { return status == nullptr; }
  dqrt_status_code code() const { return dqrt_status_get_code(status); }
  std::string message() const { return dqrt_status_get_message(status); }
  dqrt_status status;
};

struct RuntimeDeleter {
  void operator()(dqrt_runtime r) const { dqrt_runtime_destroy(r); }
};
struct ModuleDeleter {
  void operator()(dqrt_module m) const { dqrt_module_destroy(m); }
};
struct BufferDeleter {
  void operator()(dqrt_buffer b) const { dqrt_buffer_destroy(b); }
};
using RuntimePtr = std::unique_ptr<dqrt_runtime_s, RuntimeDeleter>;
using ModulePtr = std::unique_ptr<dqrt_module_s, ModuleDeleter>;
using BufferPtr = std::unique_ptr<dqrt_buffer_s, BufferDeleter>;

/// A CPU runtime with `threads` threads, or a failed test.
inline RuntimePtr makeRuntime(int32_t threads = 0) {
  dqrt_runtime_options options;
  dqrt_runtime_options_init(&options);
  options.num_threads = threads;
  dqrt_runtime runtime = nullptr;
  Status status(dqrt_runtime_create(&options, &runtime));
  EXPECT_TRUE(status.ok()) << status.message();
  return RuntimePtr(runtime);
}

inline ModulePtr loadModule(dqrt_runtime runtime, const std::string &name) {
  dqrt_module module = nullptr;
  Status status(dqrt_module_load(runtime, modulePath(name).c_str(), &module));
  EXPECT_TRUE(status.ok()) << status.message();
  return ModulePtr(module);
}

inline dqrt_function lookup(dqrt_module module, const char *name) {
  dqrt_function function = nullptr;
  Status status(dqrt_module_lookup(module, name, &function));
  EXPECT_TRUE(status.ok()) << status.message();
  return function;
}

} // namespace dqrt_test

#endif // DQ_UNITTESTS_RUNTIME_TESTSUPPORT_H
