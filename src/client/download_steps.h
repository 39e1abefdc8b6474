// The steps a file download is made of, shared by the cache mode (download.cc), the local-dir mode
// (local_dir_download.cc) and FileExists: the metadata HEAD of the resolve URL, the resumable GET
// into a temporary file, an flock, and small file helpers. Internal. No state of its own: safe
// from any thread (two threads downloading into one temporary file must hold its lock).
#pragma once

#include <cstdint>
#include <string>

#include "client/client_impl.h"
#include "client/http.h"

namespace spacehub::client::detail {

// What the HEAD of a resolve URL says about a file (huggingface_hub's HfFileMetadata).
struct FileMetadata {
  std::string commit;        // X-Repo-Commit
  std::string etag;          // X-Linked-Etag, else ETag; normalised (no W/, no quotes)
  uint64_t size = 0;         // X-Linked-Size, else Content-Length
  std::string download_url;  // where the GET goes: the resolve URL, or an absolute redirect
  // A Xet-stored file (X-Xet-Hash and Link rel="xet-auth" on the HEAD): FetchToFile rebuilds it
  // from xorbs when the client offers Xet, else (or when that fails) GETs download_url.
  std::string xet_hash;
  std::string xet_auth_url;
};

// HEAD of `url` with Accept-Encoding: identity, following relative redirects (up to 5) the way
// huggingface_hub's _httpx_follow_relative_redirects does; an absolute redirect is not followed
// but recorded in *download_url. Errors come back as the answer (not raised); no answer at all
// throws NetworkError.
HttpResponse HeadResolve(const HubClient::Impl& impl, const std::string& url,
                         std::string* download_url);

// The metadata of a successful HEAD; throws HttpError when X-Repo-Commit, the ETag or the size is
// missing (a proxy in the way, as Python's FileMetadataError says).
FileMetadata ParseFileMetadata(const HttpResponse& head, const std::string& download_url,
                               const std::string& filename);

// The metadata a HEAD at `commit` would give for a tree entry listed at that commit (spec §6.2:
// the git blob id for regular files, the LFS sha256 otherwise), so a snapshot skips the HEADs.
FileMetadata MetadataFromTree(const RepoTreeEntry& entry, const std::string& commit,
                              const std::string& url);

// GETs m.download_url into `partial` until it holds m.size bytes: resumes what the file holds
// with a Range request (restart = start from zero), retries 408/429 and dropped connections
// (kDownload policy), reports progress under `label`. A network failure past the retries keeps
// `partial` for the next run; a local write failure (disk full) removes it and throws
// LocalError(kLocalIo). The caller holds the lock that guards `partial`.
void FetchToFile(const HubClient::Impl& impl, const FileMetadata& m, const std::string& partial,
                 bool restart, const std::string& label, const ProgressFn* progress);

// An exclusive flock(2) on `path` (created with its parents) for the object's lifetime: the
// locks huggingface_hub's filelock takes, so the two clients exclude each other.
class FileLock {
 public:
  explicit FileLock(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

// create_directories of the parent; throws LocalError(kLocalIo).
void MakeParents(const std::string& path);
// Writes `content` to a temporary name beside `path` and renames it into place, so a reader never
// sees half of it; throws LocalError(kLocalIo) and leaves no temporary behind.
void WriteFileAtomic(const std::string& path, const std::string& content);
// Renames `from` onto `to`, creating to's parent directories when missing; throws LocalError.
void MoveIntoPlace(const std::string& from, const std::string& to);

}  // namespace spacehub::client::detail
