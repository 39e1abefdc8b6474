#include "service/gpu_allocator.h"

#include <gtest/gtest.h>

namespace spacehub::service {
namespace {

TEST(GpuAllocatorTest, LowestFreeGpusAndNoSharing) {
  GpuAllocator a(4);
  EXPECT_EQ(*a.Acquire("1-1", 2), (std::vector<int>{0, 1}));
  EXPECT_EQ(*a.Acquire("2-1", 1), (std::vector<int>{2}));
  EXPECT_EQ(a.Acquire("3-1", 2).status().code(), Code::kUnavailable);
  a.Release("1-1");
  EXPECT_EQ(*a.Acquire("3-1", 2), (std::vector<int>{0, 1}));
  // Acquiring again for the same key first frees what it held.
  EXPECT_EQ(*a.Acquire("2-1", 2), (std::vector<int>{2, 3}));
}

TEST(GpuAllocatorTest, DeviceNodesOnlyForTheInstancesGpus) {
  EXPECT_TRUE(GpuDeviceNodes({}).empty());
  auto nodes = GpuDeviceNodes({3});
  EXPECT_EQ(nodes.front(), "/dev/nvidiactl");
  EXPECT_EQ(nodes.back(), "/dev/nvidia3");
  EXPECT_EQ(nodes.size(), 5u);
}

}  // namespace
}  // namespace spacehub::service
