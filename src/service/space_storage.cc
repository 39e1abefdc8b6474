#include "service/space_storage.h"

#include <fstream>
#include <sstream>

namespace spacehub::service {
namespace fs = std::filesystem;

TierSizes DefaultTierSizes() {
  return {
      {"small", int64_t{20} << 30}, {"medium", int64_t{150} << 30}, {"large", int64_t{1} << 40}};
}

Result<TierSizes> ParseTierSizes(const std::string& text) {
  TierSizes out;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("storage tiers: expected tier=size, got '" + item + "'");
    }
    std::string name = item.substr(0, eq);
    auto size = runtime::ParseSize(item.substr(eq + 1));
    if (!size.ok()) {
      return Status::InvalidArgument("storage tier '" + name + "': " + size.status().message());
    }
    if (*size < (int64_t{8} << 20)) {
      return Status::InvalidArgument("storage tier '" + name + "': at least 8M");
    }
    out[name] = *size;
  }
  for (const auto& [name, size] : DefaultTierSizes()) {
    if (!out.count(name)) {
      return Status::InvalidArgument("storage tiers: '" + name + "' is missing");
    }
  }
  if (out.size() != DefaultTierSizes().size()) {
    return Status::InvalidArgument("storage tiers: only small, medium and large exist");
  }
  if (!(out["small"] <= out["medium"] && out["medium"] <= out["large"])) {
    return Status::InvalidArgument("storage tiers: small <= medium <= large");
  }
  return out;
}

Result<SpaceData> PrepareSpaceData(const fs::path& space_dir, const std::string& tier,
                                   const TierSizes& sizes) {
  SpaceData d;
  d.dir = space_dir / "data";
  std::error_code ec;
  fs::create_directories(d.dir, ec);
  runtime::VolumeSpec v{space_dir / "storage.ext4", d.dir, 0};
  fs::path marker = space_dir / "storage.tier";
  if (tier.empty()) {
    if (fs::exists(marker) || fs::exists(v.image)) {
      // The tier was deleted: "all its data is lost" (spaces.md).
      runtime::Volumes::Destroy(v);
      fs::remove(marker, ec);
    }
    return d;
  }
  auto it = sizes.find(tier);
  if (it == sizes.end()) return Status::InvalidArgument("unknown storage tier '" + tier + "'");
  v.size_bytes = it->second;
  std::ofstream(marker, std::ios::trunc) << tier << "\n";
  d.volume = v;
  return d;
}

runtime::Limits LimitsForFlavor(const Flavor* flavor, int64_t pids_limit) {
  runtime::Limits l;
  l.pids = pids_limit;
  if (flavor) {
    l.memory_bytes = int64_t{flavor->memory_gb} << 30;
    l.cpu_millis = int64_t{flavor->vcpu} * 1000;
  }
  return l;
}

Result<std::set<std::string>> ListSpaceUids(db::RepoRowStore& db) {
  std::set<std::string> uids;
  db::RepoQuery q;
  q.type = RepoType::kSpace;
  q.all_private = true;
  q.limit = 500;
  for (;;) {
    SH_ASSIGN_OR_RETURN(auto rows, db.ListRepos(q));
    for (const auto& row : rows) uids.insert(row.uid);
    if (rows.size() < q.limit) break;
    q.offset += q.limit;
  }
  return uids;
}

int RemoveDeletedSpaceDirs(const fs::path& spaces_root, const std::set<std::string>& live) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(spaces_root, ec)) {
    std::string uid = e.path().filename().string();
    if (live.count(uid) || !e.is_directory(ec) || uid.empty() || uid[0] == '.') continue;
    // Nothing of a deleted Space runs any more; a mount left (a hub killed meanwhile) goes first,
    // so that removing the directory never walks into a mounted file system.
    runtime::Volumes::UnmountUnder(e.path());
    if (!runtime::Volumes::MountedUnder(e.path()).empty()) continue;  // busy: next time
    fs::remove_all(e.path(), ec);
    ++n;
  }
  return n;
}

}  // namespace spacehub::service
