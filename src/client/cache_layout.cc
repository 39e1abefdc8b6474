// See cache_layout.h.
#include "client/cache_layout.h"

#include <sstream>

#include "spacehub/errors.h"

namespace spacehub::client::detail {

std::string RepoFolderName(RepoType type, const std::string& repo_id) {
  std::string out(RepoTypePlural(type));
  std::stringstream parts(repo_id);
  std::string part;
  while (std::getline(parts, part, '/')) out += "--" + part;
  return out;
}

std::string NormalizeEtag(const std::string& etag) {
  std::string e = etag;
  if (e.rfind("W/", 0) == 0) e = e.substr(2);
  if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
  return e;
}

bool IsCommitHash(const std::string& revision) {
  if (revision.size() != 40) return false;
  for (char c : revision) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void ValidatePathInRepo(const std::string& path) {
  bool bad = path.empty() || path[0] == '/' || path.back() == '/';
  std::stringstream parts(path);
  std::string part;
  while (!bad && std::getline(parts, part, '/')) bad = part.empty() || part == "." || part == "..";
  if (bad) throw LocalError(ErrorKind::kInvalidArgument, "invalid path in repo '" + path + "'");
}

std::string NoExistPath(const std::string& repo_dir, const std::string& commit,
                        const std::string& path_in_repo) {
  ValidatePathInRepo(path_in_repo);
  if (commit.empty() || commit == "." || commit == ".." || commit.find('/') != std::string::npos) {
    return "";
  }
  return repo_dir + "/.no_exist/" + commit + "/" + path_in_repo;
}

CachePaths MakeCachePaths(const std::string& cache_dir, RepoType type, const std::string& repo_id,
                          const std::string& revision, const std::string& commit,
                          const std::string& path_in_repo, const std::string& etag) {
  ValidatePathInRepo(path_in_repo);
  if (etag.empty() || etag.find('/') != std::string::npos || etag == "." || etag == "..") {
    throw LocalError(ErrorKind::kInvalidArgument, "server sent an unusable ETag '" + etag + "'");
  }
  CachePaths p;
  std::string folder = RepoFolderName(type, repo_id);
  p.repo_dir = cache_dir + "/" + folder;
  p.blob = p.repo_dir + "/blobs/" + etag;
  p.incomplete = p.blob + ".incomplete";
  p.snapshot = p.repo_dir + "/snapshots/" + commit + "/" + path_in_repo;
  if (revision != commit) p.ref = p.repo_dir + "/refs/" + revision;
  p.lock = cache_dir + "/.locks/" + folder + "/" + etag + ".lock";
  // snapshots/<commit>/a/b.txt -> ../../../blobs/<etag>: two levels plus one per directory.
  std::string up = "../../";
  for (char c : path_in_repo) {
    if (c == '/') up += "../";
  }
  p.link_target = up + "blobs/" + etag;
  return p;
}

}  // namespace spacehub::client::detail
