// Plain data types of the repo layer: tree entries, commits, refs, LFS pointers, commit operations.
// Value types; thread-safe for const use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace spacehub::repo {

struct LfsPointer {
  std::string oid;  // sha256 hex
  uint64_t size = 0;
};

// Parses a git-lfs pointer file in its canonical form (spec v1, under any of the version URLs
// git-lfs accepts); nullopt for anything else. Blobs > 1024 bytes are never pointers. This is what
// the hub serves as an LFS file (tree listings, resolve, Space checkouts).
std::optional<LfsPointer> ParseLfsPointer(std::string_view blob);

// Whether git-lfs itself would take this blob for a pointer, read as leniently as git-lfs reads it
// (surrounding whitespace, CRLF line ends, blank lines, extension lines, "+7" or "007" sizes, no
// final newline), and the object it names. A superset of ParseLfsPointer: every way a pointer
// enters a repository (commit API, push, duplication) checks the object with this reading, so a
// blob that any LFS client would fetch an object for never names an object the repo lacks.
std::optional<LfsPointer> DetectLfsPointer(std::string_view blob);

// The version lines git-lfs accepts: "https://git-lfs.github.com/spec/v1" and its two
// predecessors ("https://hawser.github.com/spec/v1", "http://git-media.io/v/2").
bool IsLfsPointerVersion(std::string_view url);
// "version https://git-lfs.github.com/spec/v1\noid sha256:<oid>\nsize <n>\n"
std::string FormatLfsPointer(const LfsPointer& p);

struct TreeEntry {
  std::string path;  // full path from the repo root
  bool is_dir = false;
  std::string oid;    // git object id (blob or tree sha1)
  uint64_t size = 0;  // blob size; for LFS files the size of the real content
  std::optional<LfsPointer> lfs;
  uint64_t pointer_size = 0;  // size of the pointer blob when lfs is set
};

struct CommitInfo {
  std::string id;       // sha1 hex
  std::string title;    // first line of the message
  std::string message;  // rest of the message after the title (may be empty)
  std::string author_name;
  std::string author_email;
  int64_t time_millis = 0;
  std::vector<std::string> parents;
};

struct RefInfo {
  std::string name;    // "main", "v1", "refs/pr/1"
  std::string ref;     // "refs/heads/main", "refs/tags/v1", "refs/pr/1"
  std::string target;  // commit sha1
};

struct Refs {
  std::vector<RefInfo> branches;
  std::vector<RefInfo> tags;
  std::vector<RefInfo> converts;       // refs/convert/*
  std::vector<RefInfo> pull_requests;  // refs/pr/N
};

// Commit operations, already validated (paths pass ValidateRepoPath).
struct AddFile {
  std::string path;
  std::string content;
};
struct AddLfsFile {
  std::string path;
  LfsPointer pointer;  // object must already be in the LFS store (checked by the service)
};
struct DeleteFile {
  std::string path;
};
struct DeleteFolder {
  std::string path;  // without trailing '/'
};
using CommitOp = std::variant<AddFile, AddLfsFile, DeleteFile, DeleteFolder>;

struct CommitRequest {
  std::string ref;  // full ref to move, e.g. "refs/heads/main" or "refs/pr/3"
  // When set: the commit is refused (kConflict) unless the ref currently points here.
  std::optional<std::string> expected_parent;
  // When set and the ref does not exist yet: start from this commit (new PR refs, new branches).
  std::optional<std::string> base_commit;
  std::string summary;
  std::string description;
  std::string author_name;
  std::string author_email;
  std::vector<CommitOp> ops;
};

struct CommitResult {
  std::string commit_id;
  std::string parent_id;  // empty for a root commit
};

}  // namespace spacehub::repo
