#include "service/gpu_allocator.h"

#include <set>

namespace spacehub::service {

Result<std::vector<int>> GpuAllocator::Acquire(const std::string& key, int count) {
  MutexLock lock(mu_);
  held_.erase(key);
  std::set<int> used;
  for (const auto& [k, gpus] : held_) used.insert(gpus.begin(), gpus.end());
  std::vector<int> got;
  for (int i = 0; i < total_ && static_cast<int>(got.size()) < count; ++i) {
    if (!used.count(i)) got.push_back(i);
  }
  if (static_cast<int>(got.size()) < count) {
    return Status(Code::kUnavailable, "needs " + std::to_string(count) + " GPU(s); " +
                                          std::to_string(got.size()) + " of the node's " +
                                          std::to_string(total_) + " are free");
  }
  held_[key] = got;
  return got;
}

void GpuAllocator::Release(const std::string& key) {
  MutexLock lock(mu_);
  held_.erase(key);
}

std::vector<std::string> GpuDeviceNodes(const std::vector<int>& gpus) {
  if (gpus.empty()) return {};
  std::vector<std::string> nodes = {"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools",
                                    "/dev/nvidia-modeset"};
  for (int g : gpus) nodes.push_back("/dev/nvidia" + std::to_string(g));
  return nodes;
}

}  // namespace spacehub::service
