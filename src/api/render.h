// Rendering of service results into the Hub's JSON shapes (camelCase, ISO dates with milliseconds).
// Kept apart from the handlers so every endpoint renders a tree entry or a repo the same way.
// Stateless; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "repo/types.h"
#include "service/file_service.h"
#include "service/repo_service.h"
#include "service/repo_view.h"
#include "service/space_service.h"

namespace spacehub::api {

// A repo as listed (no files): id, author, dates, visibility, sdk for Spaces.
nlohmann::json RepoSummaryJson(const service::RepoView& repo);
// Full info: summary plus sha, siblings, cardData, usedStorage.
nlohmann::json RepoInfoJson(const service::RepoInfo& info, bool with_blobs);
nlohmann::json TreeEntryJson(const service::TreeEntryWithCommit& e);
nlohmann::json CommitJson(const repo::CommitInfo& c, bool formatted);
// The SpaceRuntime object (spec §4.4): `hardware` is always an object, never null.
nlohmann::json SpaceRuntimeJson(const service::SpaceRuntimeView& v);
// The `runtime` event of the followed events stream (the web UI's): the SpaceRuntime object plus
// `servingSince`, when what serves visitors started serving (ISO time, null when nothing does).
nlohmann::json SpaceRuntimeEventJson(const service::SpaceRuntimeView& v);
// {KEY: {"value"?, "description"?, "updatedAt"}}; values only when `with_values` (variables).
nlohmann::json SpaceEntriesJson(const std::vector<db::SpaceEntry>& entries, bool with_values);
// One flavor as GET /api/spaces/hardware lists it (the client's JobHardwareInfo shape + extras).
nlohmann::json FlavorJson(const service::Flavor& f);
nlohmann::json SpaceEventJson(const db::SpaceEvent& e);
// One metric sample (Space and job metrics, jobs-webhooks-oauth.md §1.3): the job metrics' keys
// plus processes and /data; what the hub cannot read is null.
nlohmann::json MetricJson(const runtime::InstanceUsage& u);
// Hub-style 24-hex object id for an integer id.
std::string ObjectId(int64_t id);

}  // namespace spacehub::api
