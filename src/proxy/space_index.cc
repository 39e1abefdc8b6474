#include "proxy/space_index.h"

#include <algorithm>

#include "core/log.h"
#include "proxy/space_host.h"

namespace spacehub::proxy {

SpaceIndex::SpaceIndex(db::MetadataStore& db, std::chrono::milliseconds min_refresh)
    : db_(db), min_refresh_(min_refresh) {}

std::optional<RepoId> SpaceIndex::Find(const std::string& subdomain) {
  std::lock_guard lock(mu_);
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
  std::lock_guard lock(mu_);
  if (!built_at_) return std::chrono::milliseconds(0);
  const auto left = min_refresh_ - (std::chrono::steady_clock::now() - *built_at_);
  return std::max(std::chrono::milliseconds(0), std::chrono::ceil<std::chrono::milliseconds>(left));
}

void SpaceIndex::Forget(const std::string& subdomain) {
  std::lock_guard lock(mu_);
  by_subdomain_.erase(subdomain);
}

Status SpaceIndex::Rebuild() {
  std::unordered_map<std::string, RepoId> next;
  db::RepoQuery q;
  q.type = RepoType::kSpace;
  q.sort = db::RepoSort::kId;
  q.all_private = true;
  q.limit = 1000;
  for (q.offset = 0;; q.offset += q.limit) {
    SH_ASSIGN_OR_RETURN(std::vector<db::RepoRow> rows, db_.ListRepos(q));
    for (const auto& row : rows) next.emplace(SpaceSubdomain(row.repo), row.repo);
    if (rows.size() < q.limit) break;
  }
  by_subdomain_ = std::move(next);
  return Status::Ok();
}

}  // namespace spacehub::proxy
