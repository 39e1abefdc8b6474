#include "proxy/repo_cache.h"

namespace spacehub::proxy {
namespace {

constexpr size_t kMaxEntries = 100000;  // a bound against lookups of ever new names

std::string KeyOf(const RepoId& id) {
  std::string k = id.Full();
  for (char& c : k) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return k;
}

}  // namespace

Result<service::SpaceListing> RepoCache::Find(const RepoId& id) {
  const std::string key = KeyOf(id);
  const int64_t now = clock_.SteadyMillis();
  {
    MutexLock lock(mu_);
    auto it = rows_.find(key);
    if (it != rows_.end() && now - it->second.at < ttl_.count()) return it->second.row;
  }
  Result<service::SpaceListing> row = spaces_.FindSpace(id);
  if (!row.ok() || row->repo.type != RepoType::kSpace) return row;
  MutexLock lock(mu_);
  if (rows_.size() >= kMaxEntries) rows_.clear();
  rows_[key] = Entry{*row, now};
  return row;
}

}  // namespace spacehub::proxy
