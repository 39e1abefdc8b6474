// FileService: reading a repository's content — download (resolve/raw), tree listing and
// paths-info — at a revision, for callers allowed to read the repo. An LFS file whose object is not
// linked to the repo (lfs_links.h) has no content here: resolve answers 404 and the listings show
// it as the plain pointer blob it is.
// Thread-safe: holds only a reference to the Hub.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "repo/types.h"
#include "service/access.h"

namespace spacehub::service {

struct ResolvedFile {
  std::string commit;  // the commit the path was resolved at (X-Repo-Commit)
  repo::TreeEntry entry;
  std::string content;                // the git blob (for LFS files: the pointer text)
  std::string lfs_path;               // for LFS files whose object is stored: the file to send
  std::optional<db::XetFileRow> xet;  // for LFS files whose object is Xet-stored (too)
};

struct TreeEntryWithCommit {
  repo::TreeEntry entry;
  std::optional<repo::CommitInfo> last_commit;  // when expanded
  std::string xet_hash;                         // LFS files stored as Xet: their file hash
};

class FileService final {
 public:
  explicit FileService(Hub& hub) : hub_(hub) {}

  // Revision → commit, then the file at `path`. A missing file is EntryNotFound carrying the
  // commit it was resolved at (Status::resolved_commit; clients cache the miss under it).
  Result<ResolvedFile> Resolve(const Caller& who, const RepoId& id, const std::string& revision,
                               const std::string& path);
  Result<std::vector<TreeEntryWithCommit>> Tree(const Caller& who, const RepoId& id,
                                                const std::string& revision,
                                                const std::string& path, bool recursive,
                                                bool expand);
  // Entries for the paths that exist (others are left out).
  Result<std::vector<TreeEntryWithCommit>> PathsInfo(const Caller& who, const RepoId& id,
                                                     const std::string& revision,
                                                     const std::vector<std::string>& paths,
                                                     bool expand);

 private:
  // LFS info only for objects linked to the repo (lfs_links.h); others read as plain pointers.
  Status HideUnlinked(int64_t repo_id, std::vector<TreeEntryWithCommit>& entries);
  Hub& hub_;
};

}  // namespace spacehub::service
