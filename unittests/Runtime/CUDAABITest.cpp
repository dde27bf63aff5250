//===- CUDAABITest.cpp - the runtime's CUDA declarations match cuda.h -----===//
//
// The runtime declares the few driver types and constants it uses instead
// of including cuda.h (runtime/lib/CUDADriver.h). Where the toolkit is
// installed, this test compares them with the real header: constants,
// struct layouts, and handle/pointer sizes. Built only when cuda.h is found.
//
//===----------------------------------------------------------------------===//

#include "CUDADriver.h"

#include <cuda.h>

#include "gtest/gtest.h"

#include <cstddef>
#include <cstring>
#include <type_traits>

namespace cu = dqrt::cu;

static_assert(cu::kStreamNonBlocking == CU_STREAM_NON_BLOCKING);
static_assert(cu::kEventDisableTiming == CU_EVENT_DISABLE_TIMING);
static_assert(cu::kMemAttachGlobal == CU_MEM_ATTACH_GLOBAL);
static_assert(cu::kJitInfoLogBuffer == CU_JIT_INFO_LOG_BUFFER);
static_assert(cu::kJitInfoLogBufferSize == CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES);
static_assert(cu::kJitErrorLogBuffer == CU_JIT_ERROR_LOG_BUFFER);
static_assert(cu::kJitErrorLogBufferSize == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
static_assert(cu::kJitOptimizationLevel == CU_JIT_OPTIMIZATION_LEVEL);
static_assert(cu::kLaunchAttributeClusterDim ==
              CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION);

static_assert(sizeof(cu::TensorMap) == sizeof(CUtensorMap));
static_assert(alignof(cu::TensorMap) == alignof(CUtensorMap));
static_assert(CU_TENSOR_MAP_DATA_TYPE_TFLOAT32_FTZ == 12,
              "mgpuTensorMapEncodeTiledMemref's element sizes cover 0..12");
static_assert(sizeof(cu::DevicePtr) == sizeof(CUdeviceptr));
static_assert(sizeof(cu::Result) == sizeof(CUresult));
static_assert(sizeof(cu::Device) == sizeof(CUdevice));
static_assert(sizeof(cu::Stream) == sizeof(CUstream));

#define SAME_FIELD(ours, theirs, field)                                        \
  static_assert(offsetof(ours, field) == offsetof(theirs, field),              \
                #field " differs from cuda.h")
static_assert(sizeof(cu::LaunchAttribute) == sizeof(CUlaunchAttribute));
SAME_FIELD(cu::LaunchAttribute, CUlaunchAttribute, id);
SAME_FIELD(cu::LaunchAttribute, CUlaunchAttribute, value);
static_assert(sizeof(cu::LaunchConfig) == sizeof(CUlaunchConfig));
SAME_FIELD(cu::LaunchConfig, CUlaunchConfig, gridDimX);
SAME_FIELD(cu::LaunchConfig, CUlaunchConfig, blockDimZ);
SAME_FIELD(cu::LaunchConfig, CUlaunchConfig, sharedMemBytes);
SAME_FIELD(cu::LaunchConfig, CUlaunchConfig, hStream);
SAME_FIELD(cu::LaunchConfig, CUlaunchConfig, attrs);
SAME_FIELD(cu::LaunchConfig, CUlaunchConfig, numAttrs);

namespace {

TEST(CUDAABI, ClusterDimensionSitsWhereTheDriverReadsIt) {
  cu::LaunchAttribute ours = {};
  ours.id = cu::kLaunchAttributeClusterDim;
  ours.value.clusterDim = {2, 3, 4};
  CUlaunchAttribute theirs;
  static_assert(sizeof(ours) == sizeof(theirs));
  std::memcpy(&theirs, &ours, sizeof(ours));
  EXPECT_EQ(theirs.id, CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION);
  EXPECT_EQ(theirs.value.clusterDim.x, 2u);
  EXPECT_EQ(theirs.value.clusterDim.y, 3u);
  EXPECT_EQ(theirs.value.clusterDim.z, 4u);
}

} // namespace
