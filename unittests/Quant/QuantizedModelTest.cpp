//===- QuantizedModelTest.cpp - quantized-model checkpoints ---------------===//
//
// The float parameters ("<name>.value") of a checkpoint; the layers are
// tested through dq-opt (test/Transforms/quantize-import*.test).
//
//===----------------------------------------------------------------------===//

#include "dq/Quant/QuantizedModel.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace dq;

namespace {

NamedTensor f32(const std::string &Name, std::vector<int64_t> Shape,
                std::vector<float> Values) {
  Tensor T = cantFail(Tensor::create(DType::F32, Shape));
  std::memcpy(T.Data.data(), Values.data(), T.Data.size());
  return {Name, T};
}

/// A 2-bit layer "fc" of 2 x 4 with one group per row.
std::vector<NamedTensor> layer() {
  Tensor Q = cantFail(Tensor::create(DType::I8, {2, 4}));
  return {{"fc.q", Q},
          f32("fc.scale", {2, 1}, {1, 2}),
          f32("fc.offset", {2, 1}, {0, 0})};
}

const std::map<std::string, std::string> Meta = {
    {"format", "dq-quantized-model"},
    {"format_version", "1"},
    {"fc.bits", "2"}};

llvm::Expected<QuantizedModelReader>
parse(const std::vector<NamedTensor> &Tensors) {
  std::string Bytes;
  llvm::raw_string_ostream OS(Bytes);
  cantFail(writeSafetensors(OS, Tensors, Meta));
  return QuantizedModelReader::parse(
      llvm::MemoryBuffer::getMemBufferCopy(Bytes), "ck");
}

std::string errorOf(llvm::Error E) {
  return E ? llvm::toString(std::move(E)) : "<no error>";
}

TEST(QuantizedModelFloats, ReadsValuesOfAnyRank) {
  std::vector<NamedTensor> Tensors = layer();
  Tensors.push_back(f32("norm.weight.value", {3}, {0.5f, -1.25f, 3e-8f}));
  Tensors.push_back(f32("proj.bias.value", {2, 2}, {1, 2, 3, 4}));
  Tensors.push_back(f32("scale.value", {}, {7}));
  llvm::Expected<QuantizedModelReader> R = parse(Tensors);
  ASSERT_TRUE(bool(R)) << llvm::toString(R.takeError());
  EXPECT_EQ(R->getLayers(), llvm::ArrayRef<std::string>({"fc"}));
  EXPECT_EQ(R->getFloats(),
            llvm::ArrayRef<std::string>({"norm.weight", "proj.bias", "scale"}));
  EXPECT_TRUE(R->containsFloat("scale"));
  EXPECT_FALSE(R->containsFloat("fc"));
  EXPECT_FALSE(R->contains("norm.weight"));

  llvm::Expected<std::vector<float>> Norm = R->readFloat("norm.weight", {3});
  ASSERT_TRUE(bool(Norm)) << llvm::toString(Norm.takeError());
  EXPECT_EQ(*Norm, std::vector<float>({0.5f, -1.25f, 3e-8f}));
  llvm::Expected<std::vector<float>> Bias = R->readFloat("proj.bias", {2, 2});
  ASSERT_TRUE(bool(Bias)) << llvm::toString(Bias.takeError());
  EXPECT_EQ(*Bias, std::vector<float>({1, 2, 3, 4}));
  llvm::Expected<std::vector<float>> Scale = R->readFloat("scale", {});
  ASSERT_TRUE(bool(Scale)) << llvm::toString(Scale.takeError());
  EXPECT_EQ(*Scale, std::vector<float>({7}));
}

TEST(QuantizedModelFloats, FileOfValuesAlone) {
  llvm::Expected<QuantizedModelReader> R =
      parse({f32("norm.weight.value", {2}, {1, 2})});
  ASSERT_TRUE(bool(R)) << llvm::toString(R.takeError());
  EXPECT_TRUE(R->getLayers().empty());
  EXPECT_EQ(R->getFloats().size(), 1u);
}

TEST(QuantizedModelFloats, StructureErrors) {
  Tensor Half = cantFail(Tensor::create(DType::F16, {2}));
  EXPECT_EQ(errorOf(parse({{"w.value", Half}}).takeError()),
            "ck: tensor 'w.value' must be F32, got F16");
  EXPECT_EQ(errorOf(parse({f32("w.values", {1}, {1})}).takeError()),
            "ck: tensor 'w.values' is not the .q, .scale or .offset of a "
            "layer, nor a .value");
  EXPECT_EQ(errorOf(parse({f32(".value", {1}, {1})}).takeError()),
            "ck: tensor '.value' is not the .q, .scale or .offset of a "
            "layer, nor a .value");
}

TEST(QuantizedModelFloats, ValueErrors) {
  float Inf = std::numeric_limits<float>::infinity();
  float NaN = std::numeric_limits<float>::quiet_NaN();
  llvm::Expected<QuantizedModelReader> R =
      parse({f32("a.value", {2, 3}, {1, 2, 3, 4, 5, -Inf}),
             f32("b.value", {3}, {1, NaN, 3})});
  ASSERT_TRUE(bool(R)) << llvm::toString(R.takeError());
  EXPECT_EQ(errorOf(R->readFloat("a", {3, 2}).takeError()),
            "ck: tensor 'a.value': shape [2, 3] differs from [3, 2], the "
            "shape of the constant it replaces");
  EXPECT_EQ(errorOf(R->readFloat("a", {2, 3}).takeError()),
            "ck: tensor 'a.value': element [1, 2] is not finite (-inf)");
  EXPECT_EQ(errorOf(R->readFloat("b", {3}).takeError()),
            "ck: tensor 'b.value': element [1] is not finite (nan)");
  EXPECT_EQ(errorOf(R->readFloat("c", {3}).takeError()),
            "tensor 'c.value': not in the checkpoint");
}

TEST(QuantizedModelFloats, DuplicateAcrossFiles) {
  llvm::SmallString<128> Dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("dq-qmodel", Dir));
  std::string A = (Dir + "/a.safetensors").str();
  std::string B = (Dir + "/b.safetensors").str();
  cantFail(writeSafetensorsFile(A, {f32("n.value", {1}, {1})}, Meta));
  std::vector<NamedTensor> Tensors = layer();
  Tensors.push_back(f32("n.value", {1}, {2}));
  cantFail(writeSafetensorsFile(B, Tensors, Meta));
  EXPECT_EQ(errorOf(QuantizedModelReader::open(Dir).takeError()),
            B + ": tensor 'n.value' is also in '" + A + "'");

  // Without the duplicate, the files make one checkpoint.
  cantFail(writeSafetensorsFile(B, layer(), Meta));
  llvm::Expected<QuantizedModelReader> R = QuantizedModelReader::open(Dir);
  ASSERT_TRUE(bool(R)) << llvm::toString(R.takeError());
  EXPECT_EQ(R->getFloats(), llvm::ArrayRef<std::string>({"n"}));
  EXPECT_EQ(R->getLayers(), llvm::ArrayRef<std::string>({"fc"}));
  llvm::sys::fs::remove_directories(Dir);
}

} // namespace
