// What one commit changed, file by file, for the commit page: the commit against its first parent
// (against the empty tree for a root commit), renames detected, text files with their unified
// hunks. Every limit is there so that a commit of a thousand files or of a 2 GB text file renders
// as a list, not as a page nobody can load: past them a file is kept but marked truncated, with
// its counts and without its patch.
//
// Computed by RepoStore::DiffCommit (diff.cc). Value types; thread-safe for const use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "repo/types.h"

namespace spacehub::repo {

struct DiffLimits {
  // Files listed; the rest are only counted (CommitDiff::total_files).
  size_t max_files = 300;
  // Patch text of one file; a longer patch is dropped and the file marked truncated.
  size_t max_file_patch_bytes = 256 * 1024;
  // Patch text of all files together; files past it are marked truncated.
  size_t max_total_patch_bytes = 2 * 1024 * 1024;
  // A blob larger than this is not diffed at all (its lines are not even read, or counted).
  uint64_t max_blob_bytes = 8 * 1024 * 1024;
};

enum class DiffStatus { kAdded, kModified, kDeleted, kRenamed };

struct FileDiff {
  std::string old_path;  // == new_path unless renamed; the path for added and deleted files too
  std::string new_path;
  DiffStatus status = DiffStatus::kModified;
  // libgit2's verdict (a NUL byte in the first 8000 bytes, or gitattributes): no lines, no patch.
  bool binary = false;
  // Either side is a git-lfs pointer (as the hub serves LFS files); the patch, if any, is the
  // pointer text's. The pointers say what the real content was and became.
  bool lfs = false;
  std::optional<LfsPointer> old_lfs;
  std::optional<LfsPointer> new_lfs;
  size_t additions = 0;  // lines; 0 for binary files and blobs over max_blob_bytes
  size_t deletions = 0;
  // The patch was left out: too long, past the commit's total, or a blob over max_blob_bytes.
  bool truncated = false;
  // The hunks in unified format, 3 lines of context: each line starts with "@@", ' ', '+', '-' or
  // '\' ("\ No newline at end of file"), and ends with '\n'. Empty for binary, truncated and
  // content-less changes (a rename without edits, an empty file).
  std::string patch;
};

struct CommitDiff {
  std::string commit_id;
  std::string parent_id;        // empty for a root commit
  size_t total_files = 0;       // files changed; files.size() is less when max_files cut the list
  std::vector<FileDiff> files;  // in path order, as git lists them
};

}  // namespace spacehub::repo
