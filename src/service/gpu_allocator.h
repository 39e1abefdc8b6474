// GpuAllocator: which of the node's GPUs each running instance holds. The scheduler (placement.h)
// decides that a GPU flavor fits; this picks the device numbers an instance gets (the lowest free
// ones) and frees them when it stops, so two Spaces (or a Space and a job) never share a GPU.
// Owned by the Space engine and lent to the job engine: thread-safe (one mutex).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "core/result.h"

namespace spacehub::service {

class GpuAllocator final {
 public:
  explicit GpuAllocator(int total) : total_(total) {}

  // `count` GPUs for the instance `key` (any it held before are freed first).
  Result<std::vector<int>> Acquire(const std::string& key, int count) EXCLUDES(mu_);
  void Release(const std::string& key) EXCLUDES(mu_);
  int total() const { return total_; }

 private:
  const int total_;
  Mutex mu_;
  std::map<std::string, std::vector<int>> held_ GUARDED_BY(mu_);
};

// The device nodes an instance with these GPUs needs: the control and UVM nodes, then one
// /dev/nvidia<N> per GPU (only those: the app sees its own GPUs as 0..n-1).
std::vector<std::string> GpuDeviceNodes(const std::vector<int>& gpus);

}  // namespace spacehub::service
