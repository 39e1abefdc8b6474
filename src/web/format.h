// Small text formats the pages share: sizes, ages, the web path of a repo. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/repo_id.h"

namespace spacehub::web {

// 1536 -> "1.5 kB" (decimal units, as the Hub shows sizes).
std::string HumanSize(uint64_t bytes);
// 0.6 -> "$0.60".
std::string Price(double dollars);
// How long ago `then_ms` was at `now_ms`: "just now", "5 minutes ago", "3 days ago", or the date.
std::string Age(int64_t then_ms, int64_t now_ms);
// The repo's page: "/ns/name", "/datasets/ns/name", "/spaces/ns/name".
std::string RepoPath(const RepoId& id);
// "model", "dataset", "Space".
std::string_view RepoKindLabel(RepoType type);

}  // namespace spacehub::web
