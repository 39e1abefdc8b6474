#include "proxy/space_index.h"

#include <algorithm>

#include "core/log.h"

namespace spacehub::proxy {

SpaceIndex::SpaceIndex(service::SpaceDirectory& spaces, std::chrono::milliseconds min_refresh,
                       const Clock& clock)
    : spaces_(spaces), min_refresh_(min_refresh), clock_(clock) {}

std::optional<RepoId> SpaceIndex::Find(const std::string& subdomain) {
  MutexLock lock(mu_);
  if (auto it = by_subdomain_.find(subdomain); it != by_subdomain_.end()) return it->second;
  const int64_t now = clock_.SteadyMillis();
  if (built_at_ && now - *built_at_ < min_refresh_.count()) return std::nullopt;
  built_at_ = now;
  if (Status st = Rebuild(); !st.ok()) {
    spdlog::warn("proxy: cannot list Spaces: {}", st.ToString());
    return std::nullopt;
  }
  if (auto it = by_subdomain_.find(subdomain); it != by_subdomain_.end()) return it->second;
  return std::nullopt;
}

std::chrono::milliseconds SpaceIndex::RefreshDelay() {
  MutexLock lock(mu_);
  if (!built_at_) return std::chrono::milliseconds(0);
  const int64_t left = min_refresh_.count() - (clock_.SteadyMillis() - *built_at_);
  return std::chrono::milliseconds(std::max<int64_t>(0, left));
}

void SpaceIndex::Forget(const std::string& subdomain) {
  MutexLock lock(mu_);
  by_subdomain_.erase(subdomain);
}

Status SpaceIndex::Rebuild() {
  SH_ASSIGN_OR_RETURN(by_subdomain_, spaces_.SpacesByLabel());
  return Status::Ok();
}

}  // namespace spacehub::proxy
