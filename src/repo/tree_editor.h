// TreeEditor: applies commit operations (add, add LFS pointer, delete file, delete folder) to a
// tree, in order, through an in-memory git_index, and writes the resulting tree. Blobs are written
// as they are added (into whatever object backend the repository routes writes to).
//
// Thread-safety: one owner; bound to one git_repository handle.
#pragma once

#include <git2.h>

#include <string_view>

#include "core/result.h"
#include "repo/git_util.h"
#include "repo/types.h"

namespace spacehub::repo {

class TreeEditor final {
 public:
  // Starts from `base` (nullptr = empty tree).
  static Result<TreeEditor> Open(git_repository* repo, const git_tree* base);

  // DeleteFile of a missing path → EntryNotFound ("A file with this name doesn't exist");
  // DeleteFolder with nothing beneath → EntryNotFound; adding a file where a folder is, or beneath
  // a path that is a file → kInvalidArgument.
  Status Apply(const CommitOp& op);
  Result<git_oid> WriteTree();

 private:
  TreeEditor(git_repository* repo, git::IndexPtr index) : repo_(repo), index_(std::move(index)) {}
  Status AddBlob(std::string_view path, std::string_view content);
  Status RemoveFile(std::string_view path);
  Status RemoveFolder(std::string_view path);

  git_repository* repo_;
  git::IndexPtr index_;
};

}  // namespace spacehub::repo
