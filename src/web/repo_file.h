// Reading one file of a repo for a page (file view, README, edit form): its entry first, so that
// a large file is never read into memory just to say it is too large to show, then its content
// when it is small enough, not binary and not in LFS. Access is the FileService's (404 for a repo
// the visitor may not read). Thread-safe (stateless).
#pragma once

#include <optional>
#include <string>

#include "web/web_context.h"

namespace spacehub::web {

// The edit form takes text files below this size (a textarea of more is no editor).
inline constexpr uint64_t kMaxEditBytes = 1 << 20;

struct PageFile {
  repo::TreeEntry entry;
  std::string xet_hash;  // LFS files stored with Xet: their file hash
  // The commit `text` was read at (for an edit's parent commit); set with text.
  std::string commit;
  std::optional<std::string> text;  // set when the file is shown as text
  bool too_large = false;           // over the cap (text unset)
  bool binary = false;              // git's NUL test (text unset)
};

// EntryNotFound for a missing path; a folder comes back with entry.is_dir and nothing read.
Result<PageFile> ReadPageFile(const WebContext& ctx, const Visitor& visitor, const RepoId& id,
                              const std::string& rev, const std::string& path, uint64_t max_bytes);

}  // namespace spacehub::web
