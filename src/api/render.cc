#include "api/render.h"

#include <fmt/format.h>

#include <cmath>

#include "core/time_util.h"

namespace spacehub::api {

std::string ObjectId(int64_t id) { return fmt::format("{:024x}", id); }

nlohmann::json RepoSummaryJson(const service::RepoView& repo) {
  nlohmann::json j = {
      {"_id", repo.uid},
      {"id", repo.id.Full()},
      {"author", repo.id.ns},
      {"private", repo.is_private},
      {"gated", false},
      {"disabled", false},
      {"likes", 0},
      {"tags", nlohmann::json::array()},
      {"lastModified", FormatIsoMillis(repo.updated_at)},
      {"createdAt", FormatIsoMillis(repo.created_at)},
  };
  switch (repo.id.type) {
    case RepoType::kModel:
      j["modelId"] = repo.id.Full();
      j["downloads"] = 0;
      break;
    case RepoType::kDataset:
      j["downloads"] = 0;
      break;
    case RepoType::kSpace:
      j["sdk"] = repo.sdk;
      j["subdomain"] = repo.id.ns + "-" + repo.id.name;
      break;
  }
  return j;
}

nlohmann::json RepoInfoJson(const service::RepoInfo& info, bool with_blobs) {
  nlohmann::json j = RepoSummaryJson(info.repo);
  if (!info.sha.empty()) j["sha"] = info.sha;
  j["lastModified"] = FormatIsoMillis(info.last_modified);
  // Xet is never offered: clients stay on plain LFS against this hub.
  j["xetEnabled"] = false;
  nlohmann::json siblings = nlohmann::json::array();
  uint64_t used = 0;
  static const std::vector<repo::TreeEntry> kNoFiles;
  const auto& files = info.snapshot ? info.snapshot->files : kNoFiles;
  for (const auto& f : files) {
    nlohmann::json s = {{"rfilename", f.path}};
    if (with_blobs) {
      s["size"] = f.size;
      s["blobId"] = f.oid;
    }
    if (f.lfs) {
      s["lfs"] = {{"size", f.lfs->size}, {"sha256", f.lfs->oid}, {"pointerSize", f.pointer_size}};
    }
    used += f.size;
    siblings.push_back(std::move(s));
  }
  j["siblings"] = std::move(siblings);
  j["usedStorage"] = used;
  if (info.snapshot && !info.snapshot->card_data.is_null()) {
    const nlohmann::json& card = info.snapshot->card_data;
    j["cardData"] = card;
    if (info.repo.id.type == RepoType::kModel) {
      for (const char* key : {"library_name", "pipeline_tag"}) {
        if (card.contains(key)) j[key] = card[key];
      }
    }
    if (card.contains("tags") && card["tags"].is_array()) j["tags"] = card["tags"];
  }
  return j;
}

nlohmann::json TreeEntryJson(const service::TreeEntryWithCommit& t) {
  const repo::TreeEntry& e = t.entry;
  nlohmann::json j = {{"type", e.is_dir ? "directory" : "file"},
                      {"oid", e.oid},
                      {"size", e.is_dir ? 0 : e.size},
                      {"path", e.path}};
  if (e.lfs) {
    j["lfs"] = {{"oid", e.lfs->oid}, {"size", e.lfs->size}, {"pointerSize", e.pointer_size}};
  }
  if (!t.xet_hash.empty()) j["xetHash"] = t.xet_hash;
  if (t.last_commit) {
    j["lastCommit"] = {{"id", t.last_commit->id},
                       {"title", t.last_commit->title},
                       {"date", FormatIsoMillis(t.last_commit->time_millis)}};
  }
  return j;
}

nlohmann::json CommitJson(const repo::CommitInfo& c, bool formatted) {
  nlohmann::json j = {{"id", c.id},
                      {"authors", nlohmann::json::array({{{"user", c.author_name}}})},
                      {"date", FormatIsoMillis(c.time_millis)},
                      {"title", c.title},
                      {"message", c.message}};
  if (formatted) j["formatted"] = {{"title", c.title}, {"message", c.message}};
  return j;
}

namespace {

template <typename T>
nlohmann::json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

std::string Gigabytes(int gb) { return std::to_string(gb) + " GB"; }

}  // namespace

nlohmann::json SpaceRuntimeJson(const service::SpaceRuntimeView& v) {
  return {
      {"stage", std::string(wire::SpaceStageName(v.stage))},
      {"hardware", {{"current", OrNull(v.hardware_current)}, {"requested", v.hardware_requested}}},
      {"gcTimeout", OrNull(v.gc_timeout)},
      {"storage", OrNull(v.storage)},
      {"errorMessage", OrNull(v.error_message)},
      {"message", OrNull(v.message)},
      {"sdk", v.sdk},
      {"sdkVersion", OrNull(v.sdk_version)},
      {"replicas", {{"requested", v.replicas_requested}, {"current", v.replicas_current}}},
      {"devMode", v.dev_mode},
  };
}

nlohmann::json SpaceRuntimeEventJson(const service::SpaceRuntimeView& v) {
  nlohmann::json j = SpaceRuntimeJson(v);
  j["servingSince"] = v.serving_since_ms ? nlohmann::json(FormatIsoMillis(*v.serving_since_ms))
                                         : nlohmann::json(nullptr);
  return j;
}

nlohmann::json SpaceEntriesJson(const std::vector<db::SpaceEntry>& entries, bool with_values) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& e : entries) {
    nlohmann::json item = {{"updatedAt", FormatIsoMillis(e.updated_at)}};
    if (with_values) item["value"] = e.value;
    if (!e.description.empty()) item["description"] = e.description;
    out[e.key] = std::move(item);
  }
  return out;
}

nlohmann::json FlavorJson(const service::Flavor& f) {
  double price = f.price_per_hour.value_or(0);
  nlohmann::json accelerator;
  if (f.gpu_count > 0) {
    accelerator = {{"type", "gpu"},
                   {"model", f.gpu_model},
                   {"quantity", std::to_string(f.gpu_count)},
                   {"vram", Gigabytes(f.gpu_memory_gb)},
                   {"manufacturer", f.gpu_manufacturer}};
  }
  return {
      {"name", f.name},
      {"prettyName", f.pretty_name},
      {"cpu", std::to_string(f.vcpu) + " vCPU"},
      {"ram", Gigabytes(f.memory_gb)},
      {"accelerator", accelerator},
      {"ephemeralDisk", Gigabytes(f.disk_gb)},
      {"unitCostMicroUSD", static_cast<int64_t>(std::llround(price * 1e6 / 60))},  // per minute
      {"unitCostUSD", price / 60},
      {"unitLabel", "minute"},
      {"pricePerHourUSD", OrNull(f.price_per_hour)},
      {"free", f.free},
      {"capacity", OrNull(f.capacity)},
  };
}

nlohmann::json SpaceEventJson(const db::SpaceEvent& e) {
  nlohmann::json details = nlohmann::json::parse(e.details, nullptr, /*allow_exceptions=*/false);
  if (details.is_discarded()) details = nlohmann::json::object();
  return {{"id", std::to_string(e.id)},
          {"timestamp", FormatIsoMillis(e.at)},
          {"actor", e.actor},
          {"action", e.action},
          {"details", std::move(details)}};
}

// One metric in the shape of the job metrics (jobs-webhooks-oauth.md 1.3) plus processes and
// /data; values the hub cannot read are null.
nlohmann::json MetricJson(const runtime::InstanceUsage& u) {
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  nlohmann::json m = {
      {"cpu_millicores", opt(u.cpu_millicores)},
      {"cpu_usage_pct", nullptr},
      {"memory_used_bytes", opt(u.cgroup.memory_bytes)},
      {"memory_total_bytes", opt(u.cgroup.memory_limit_bytes)},
      {"rx_bps", nullptr},
      {"tx_bps", nullptr},
      {"gpus", nlohmann::json::object()},
      {"replica", "0"},
      {"pids", opt(u.cgroup.pids)},
      {"cpu_usage_ns", opt(u.cgroup.cpu_usage_ns)},
      {"oom_kills", u.cgroup.oom_kills},
      {"storage_used_bytes", u.storage ? nlohmann::json(u.storage->used_bytes) : nlohmann::json()},
      {"storage_total_bytes",
       u.storage ? nlohmann::json(u.storage->total_bytes) : nlohmann::json()}};
  if (u.cpu_millicores && u.cpu_limit_millis > 0) {
    m["cpu_usage_pct"] = *u.cpu_millicores * 100.0 / static_cast<double>(u.cpu_limit_millis);
  }
  return m;
}

}  // namespace spacehub::api
