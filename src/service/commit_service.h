// CommitService: the upload use cases — preupload (which files go to LFS, which are unchanged) and
// commit (a list of operations becomes one git commit on a branch, or a new pull-request ref).
// Every check (paths, LFS objects present and linked to the repo — for lfsFile operations and for
// plain files whose content is an LFS pointer alike, see lfs_links.h —, parent commit) runs before
// anything is written; the branch then moves by compare-and-swap in the repo layer. Thread-safe:
// holds only a reference to the Hub.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "service/access.h"

namespace spacehub::service {

struct PreuploadFile {
  std::string path;
  std::string sample;  // first bytes of the file (decoded)
  uint64_t size = 0;
};

struct PreuploadInput {
  std::string revision;
  std::vector<PreuploadFile> files;
  std::optional<std::string> git_ignore;      // .gitignore text sent by the Python client
  std::optional<std::string> git_attributes;  // .gitattributes text sent by the JS client
};

struct PreuploadAnswer {
  std::string path;
  bool lfs = false;
  bool should_ignore = false;
  std::optional<std::string> oid;  // the file's current id at the revision
};

struct CommitLfsFile {
  std::string path;
  std::string oid;
  std::optional<uint64_t> size;  // copies of LFS files come without size
};

using CommitInputOp =
    std::variant<repo::AddFile, CommitLfsFile, repo::DeleteFile, repo::DeleteFolder>;

struct CommitInput {
  std::string revision;  // a branch name or refs/pr/N
  bool create_pr = false;
  std::string summary;
  std::string description;
  std::optional<std::string> parent_commit;
  std::vector<CommitInputOp> ops;
};

struct CommitOutput {
  std::string commit_id;
  std::optional<int> pr_number;
};

class CommitService final {
 public:
  explicit CommitService(Hub& hub) : hub_(hub) {}

  Result<std::vector<PreuploadAnswer>> Preupload(const Caller& who, const RepoId& id,
                                                 const PreuploadInput& input);
  Result<CommitOutput> Commit(const Caller& who, const RepoId& id, CommitInput input);

 private:
  Hub& hub_;
};

}  // namespace spacehub::service
