// RepoView: a repository as the API shows it (identity, visibility, dates, a Space's SDK). The
// services hand this to api/, so the JSON the Hub serves follows the service's type, not the
// database row's: a new column does not leak onto the wire, and a renamed one does not break it.
// Value type; thread-safe for const use.
#pragma once

#include <cstdint>
#include <string>

#include "core/repo_id.h"
#include "db/metadata_store.h"

namespace spacehub::service {

struct RepoView {
  std::string uid;  // 24 hex digits, the Hub-style object id
  RepoId id;
  bool is_private = false;
  int64_t created_at = 0;  // epoch millis
  int64_t updated_at = 0;  // epoch millis of the last commit
  std::string sdk;         // Spaces only
};

inline RepoView ViewOf(const db::RepoRow& row) {
  return {row.uid, row.repo, row.is_private, row.created_at, row.updated_at, row.sdk};
}

}  // namespace spacehub::service
