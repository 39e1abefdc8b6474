#include "service/placement.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace spacehub::service {

std::optional<std::string> WhyNotPlaced(const Flavor& flavor, const CatalogData& catalog,
                                        const std::vector<Holding>& held, int64_t detected_gpus) {
  if (flavor.capacity) {
    int64_t same = 0;
    for (const auto& h : held) same += h.flavor == flavor.name ? 1 : 0;
    if (same >= *flavor.capacity) {
      return *flavor.capacity == 0
                 ? "no node of this hub has '" + flavor.name + "' now (capacity 0)"
                 : "no node can place '" + flavor.name + "' now (" + std::to_string(same) + " of " +
                       std::to_string(*flavor.capacity) + " in use)";
    }
  }
  if (flavor.free) return std::nullopt;
  int64_t cpu = flavor.vcpu, mem = flavor.memory_gb, gpus = flavor.gpu_count;
  for (const auto& h : held) {
    const Flavor* f = catalog.Find(h.flavor);
    if (!f || f->free) continue;
    cpu += f->vcpu;
    mem += f->memory_gb;
    gpus += f->gpu_count;
  }
  const NodeLimits& node = catalog.node;
  // GPUs: as configured, else as detected; with neither, only the flavor capacities (which an
  // administrator sets for GPUs this hub cannot see, e.g. on nodes to come) limit them.
  std::optional<int64_t> gpu_cap = node.gpus;
  if (!gpu_cap && detected_gpus > 0) gpu_cap = detected_gpus;
  if (flavor.gpu_count > 0 && gpu_cap && gpus > *gpu_cap) {
    int64_t gpu_limit = *gpu_cap;
    return "'" + flavor.name + "' needs " + std::to_string(flavor.gpu_count) + " GPU(s) and " +
           std::to_string(gpu_limit - (gpus - flavor.gpu_count)) + " of the node's " +
           std::to_string(gpu_limit) + " are free";
  }
  if (node.cpu && cpu > *node.cpu) {
    return "'" + flavor.name + "' needs " + std::to_string(flavor.vcpu) + " vCPU and only " +
           std::to_string(*node.cpu - (cpu - flavor.vcpu)) + " of the node's " +
           std::to_string(*node.cpu) + " are free";
  }
  if (node.memory_gb && mem > *node.memory_gb) {
    return "'" + flavor.name + "' needs " + std::to_string(flavor.memory_gb) +
           " GB of memory and only " + std::to_string(*node.memory_gb - (mem - flavor.memory_gb)) +
           " of the node's " + std::to_string(*node.memory_gb) + " GB are free";
  }
  return std::nullopt;
}

std::vector<int64_t> PlaceInOrder(const std::vector<Request>& waiting, const CatalogData& catalog,
                                  std::vector<Holding> held, int64_t detected_gpus) {
  std::vector<int64_t> placed;
  for (const auto& r : waiting) {
    const Flavor* f = catalog.Find(r.flavor);
    if (!f) continue;
    // The Space gives up what it holds when its request is placed.
    std::vector<Holding> others;
    for (const auto& h : held) {
      if (h.repo_id != r.repo_id) others.push_back(h);
    }
    if (WhyNotPlaced(*f, catalog, others, detected_gpus)) continue;
    others.push_back({r.repo_id, r.flavor});
    held = std::move(others);
    placed.push_back(r.repo_id);
  }
  return placed;
}

std::vector<Holding> HeldByOthers(const std::vector<db::SpaceSettingsRow>& rows, int64_t repo_id) {
  std::vector<Holding> held;
  for (const auto& r : rows) {
    if (r.repo_id != repo_id && !r.paused && !r.hardware_current.empty()) {
      held.push_back({r.repo_id, r.hardware_current});
    }
  }
  return held;
}

std::optional<std::string> WhyRequestWaits(const db::SpaceSettingsRow& s,
                                           const std::vector<db::SpaceSettingsRow>& rows,
                                           const CatalogData& catalog, int64_t detected_gpus,
                                           const std::vector<db::JobHold>& jobs) {
  const Flavor* f = catalog.Find(s.hardware_requested);
  if (!f) {
    return "The requested hardware '" + s.hardware_requested +
           "' is no longer offered by this hub; request another flavor";
  }
  std::vector<Holding> held = HeldByOthers(rows, s.repo_id);
  for (auto& j : JobHoldings(jobs)) held.push_back(std::move(j));
  if (!s.hardware_current.empty()) held.push_back({s.repo_id, s.hardware_current});
  // Requests made before this one are placed first (request order); then this one, if it fits.
  std::vector<Request> waiting;
  for (const auto& r : rows) {
    if (r.repo_id == s.repo_id || r.paused || r.hardware_requested == r.hardware_current) continue;
    bool earlier = r.hardware_requested_at < s.hardware_requested_at ||
                   (r.hardware_requested_at == s.hardware_requested_at && r.repo_id < s.repo_id);
    if (earlier) waiting.push_back({r.repo_id, r.hardware_requested, r.hardware_current});
  }
  std::vector<int64_t> before = PlaceInOrder(waiting, catalog, held, detected_gpus);
  auto placed_before = [&](int64_t id) {
    return std::find(before.begin(), before.end(), id) != before.end();
  };
  // What the others hold once those earlier requests are placed (this Space gives up its own).
  std::vector<Holding> after;
  for (const auto& h : held) {
    if (h.repo_id != s.repo_id && !placed_before(h.repo_id)) after.push_back(h);
  }
  for (const auto& w : waiting) {
    if (placed_before(w.repo_id)) after.push_back({w.repo_id, w.flavor});
  }
  if (auto why = WhyNotPlaced(*f, catalog, after, detected_gpus)) {
    std::string keeps = s.hardware_current.empty() ? "no hardware" : s.hardware_current;
    return "Waiting for hardware: " + *why + "; the Space keeps " + keeps + " until one frees";
  }
  return std::nullopt;
}

std::vector<Holding> JobHoldings(const std::vector<db::JobHold>& jobs) {
  std::vector<Holding> held;
  held.reserve(jobs.size());
  for (const auto& j : jobs) held.push_back({0, j.flavor});
  return held;
}

std::optional<std::string> WhyJobWaits(const Flavor& flavor,
                                       const std::vector<db::SpaceSettingsRow>& rows,
                                       const std::vector<db::JobHold>& jobs,
                                       const CatalogData& catalog, int64_t detected_gpus) {
  std::vector<Holding> held = HeldByOthers(rows, 0);
  for (auto& j : JobHoldings(jobs)) held.push_back(std::move(j));
  if (auto why = WhyNotPlaced(flavor, catalog, held, detected_gpus)) {
    return "Waiting for hardware: " + *why;
  }
  return std::nullopt;
}

int64_t DetectGpus() {
  int64_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/dev", ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 6 && name.rfind("nvidia", 0) == 0 &&
        std::all_of(name.begin() + 6, name.end(),
                    [](unsigned char c) { return std::isdigit(c) != 0; })) {
      ++n;
    }
  }
  return n;
}

}  // namespace spacehub::service
