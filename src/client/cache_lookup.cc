// See cache_lookup.h.
#include "client/cache_lookup.h"

#include <filesystem>
#include <fstream>

#include "client/cache_layout.h"

namespace spacehub::client::detail {

namespace fs = std::filesystem;

CachedFile LookupCache(const std::string& cache_dir, RepoType type, const std::string& repo_id,
                       const std::string& revision, const std::string& path_in_repo) {
  ValidatePathInRepo(path_in_repo);
  const std::string repo_dir = cache_dir + "/" + RepoFolderName(type, repo_id);
  std::error_code ec;
  CachedFile out;
  if (!fs::is_directory(repo_dir, ec)) return out;
  // A branch or tag reads as the commit its ref file names (a commit has no ref file).
  std::string commit = revision.empty() ? "main" : revision;
  if (("/" + commit + "/").find("/../") == std::string::npos) {
    std::ifstream ref(repo_dir + "/refs/" + commit);
    std::string sha;
    if (ref && ref >> sha) commit = sha;
  }
  std::string marker = NoExistPath(repo_dir, commit, path_in_repo);
  if (!marker.empty() && fs::is_regular_file(marker, ec)) {
    out.state = CachedFile::State::kNonExistent;
    return out;
  }
  // Only the snapshot of exactly that commit: never another revision's file.
  std::string file = repo_dir + "/snapshots/" + commit + "/" + path_in_repo;
  if (fs::is_regular_file(file, ec)) {  // follows the symlink to the blob
    out.state = CachedFile::State::kCached;
    out.path = file;
  }
  return out;
}

std::string CachedCommit(const std::string& repo_dir, const std::string& revision) {
  if (IsCommitHash(revision)) return revision;
  if (revision.empty() || ("/" + revision + "/").find("/../") != std::string::npos) return "";
  std::ifstream ref(repo_dir + "/refs/" + revision);
  std::string sha;
  if (ref && ref >> sha) return sha;
  return "";
}

}  // namespace spacehub::client::detail
