// The huggingface_hub cache layout (spec §6.4), so files downloaded by either client are found by
// the other:
//   <cache>/{models|datasets|spaces}--<ns>--<name>/
//       blobs/<etag>                     content, named by the normalised ETag
//       snapshots/<commit>/<path>        relative symlink to ../../blobs/<etag> (one ../ per dir)
//       refs/<revision>                  text file holding the commit sha
//       .no_exist/<commit>/<path>        empty file: <path> was missing at <commit> (a 404 with
//                                        X-Error-Code EntryNotFound said so)
//   <cache>/.locks/<repo folder>/<etag>.lock
// Pure path arithmetic; thread-safe.
#pragma once

#include <string>

#include "spacehub/types.h"

namespace spacehub::client::detail {

// "models--ns--name" ("models--name" without a namespace).
std::string RepoFolderName(RepoType type, const std::string& repo_id);
// Strips a leading W/ and surrounding quotes from an ETag header value.
std::string NormalizeEtag(const std::string& etag);
bool IsCommitHash(const std::string& revision);

struct CachePaths {
  std::string repo_dir;
  std::string blob;         // repo_dir/blobs/<etag>
  std::string incomplete;   // blob + ".incomplete"
  std::string snapshot;     // repo_dir/snapshots/<commit>/<path>
  std::string ref;          // repo_dir/refs/<revision> ("" when revision is the commit itself)
  std::string lock;         // cache/.locks/<folder>/<etag>.lock
  std::string link_target;  // relative path from snapshot's directory to blob
};

CachePaths MakeCachePaths(const std::string& cache_dir, RepoType type, const std::string& repo_id,
                          const std::string& revision, const std::string& commit,
                          const std::string& path_in_repo, const std::string& etag);

// repo_dir/.no_exist/<commit>/<path>, or "" when the commit the server named could leave that
// directory (empty, "." / "..", or holding '/'). Throws like ValidatePathInRepo for a bad path.
std::string NoExistPath(const std::string& repo_dir, const std::string& commit,
                        const std::string& path_in_repo);

// Throws LocalError(kInvalidArgument) for paths that would leave the snapshot dir ("..", absolute).
void ValidatePathInRepo(const std::string& path);

}  // namespace spacehub::client::detail
