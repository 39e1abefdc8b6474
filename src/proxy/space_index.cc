#include "proxy/space_index.h"

#include <algorithm>

#include "core/log.h"

namespace spacehub::proxy {

SpaceIndex::SpaceIndex(service::SpaceDirectory& spaces, std::chrono::milliseconds min_refresh)
    : spaces_(spaces), min_refresh_(min_refresh) {}

std::optional<RepoId> SpaceIndex::Find(const std::string& subdomain) {
  MutexLock lock(mu_);
  if (auto it = by_subdomain_.find(subdomain); it != by_subdomain_.end()) return it->second;
  const auto now = std::chrono::steady_clock::now();
  if (built_at_ && now - *built_at_ < min_refresh_) return std::nullopt;
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
  const auto left = min_refresh_ - (std::chrono::steady_clock::now() - *built_at_);
  return std::max(std::chrono::milliseconds(0), std::chrono::ceil<std::chrono::milliseconds>(left));
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
