// Push rules: what a `git push` must satisfy before any ref moves, checked by the pre-receive hook
// (`spacehub hook pre-receive`, run by git receive-pack with the pushed objects still quarantined).
//  - refs: only refs/heads/* and refs/tags/*; refs/pr/* are read-only (pull requests move through
//    the API); no ".." and no component beginning with '-'.
//  - a file over the LFS threshold (10 MB, the API's own) must be in git-lfs;
//  - an LFS pointer must name an object uploaded to (and linked with) this repository; a pointer
//    is whatever git-lfs would take for one (repo::DetectLfsPointer: the git-lfs, hawser and
//    git-media version lines, CRLF, extensions...), in the blobs of up to 1024 bytes the push
//    brings. Larger blobs are not read here; their bytes are never served as LFS content
//    (ParseLfsPointer) and a client's batch download checks the link (lfs_links.h).
// Thread-safe (stateless); runs git through repo::GitCommand.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "db/metadata_store.h"
#include "service/ref_updates.h"

namespace spacehub::service {

struct PushContext {
  std::filesystem::path git_dir;
  int64_t repo_id = 0;
  uint64_t max_plain_file_bytes = 10ull * 1000 * 1000;
  // What receive-pack gave the hook (GIT_OBJECT_DIRECTORY, ...): how to see the quarantined
  // objects.
  std::vector<std::pair<std::string, std::string>> quarantine_env;
};

// Every reason to refuse the push (empty: accept). A failure to inspect the push is an error.
Result<std::vector<std::string>> CheckPush(db::MetadataStore& db, const PushContext& ctx,
                                           const std::vector<RefUpdate>& updates);

}  // namespace spacehub::service
