// hf_hub_download(local_dir=…): the file as a regular file at <dir>/<path>, described by
// <dir>/.cache/huggingface/download/<path>.metadata (commit, ETag, time; local_dir.h), following
// huggingface_hub 1.3.7's _hf_hub_download_to_local_dir step by step:
//   1. a commit-hash revision that the metadata already names: the file, no request;
//   2. the metadata HEAD (or the tree entry a snapshot listed); offline or a server failure falls
//      back to the file when there is one (local_files_only / HF_HUB_OFFLINE: no HEAD at all);
//   3. the file's ETag unchanged (or, metadata lost, an LFS file whose sha256 matches): the file,
//      metadata refreshed;
//   4. the cache holds the file at that commit: copied from there;
//   5. otherwise downloaded into .cache/huggingface/download/<hash>.<etag>.incomplete (resumed with
//      Range) and renamed onto the file, so <dir> never holds half a file.
// Unlike Python, which deletes an outdated file before downloading its new version, the old file
// stays until the new one replaces it in one rename. Steps 3–5 hold <path>.lock, the flock
// huggingface_hub takes for the same file.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/cache_layout.h"
#include "client/cache_lookup.h"
#include "client/download_modes.h"
#include "client/download_steps.h"
#include "client/error_mapping.h"
#include "client/hashing.h"
#include "client/local_dir.h"
#include "client/offline.h"
#include "client/url.h"

namespace spacehub::client::detail {

namespace fs = std::filesystem;

namespace {

bool IsRegularFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

double NowSeconds() {
  using std::chrono::duration;
  using std::chrono::system_clock;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// <dir>/.cache/huggingface/.gitignore with "*", so a git checkout used as local_dir does not pick
// up the metadata. Best effort, as in Python.
void EnsureGitignore(const LocalDirPaths& p) {
  if (fs::exists(p.gitignore)) return;
  try {
    WriteFileAtomic(p.gitignore, "*");
  } catch (const LocalError&) {
  }
}

// The metadata when it still describes the file (read_download_metadata): a corrupt metadata
// file is removed; metadata older than the file's last change, or of a missing file, is ignored.
// The caller holds p.lock.
std::optional<LocalDirMetadata> ReadMetadata(const LocalDirPaths& p) {
  std::ifstream in(p.metadata, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto m = ParseLocalDirMetadata(text.str());
  if (!m) {
    std::error_code ignored;
    fs::remove(p.metadata, ignored);
    return std::nullopt;
  }
  struct stat st {};
  if (::stat(p.file.c_str(), &st) != 0) return std::nullopt;
  double mtime = static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
  if (!LocalDirMetadataIsFresh(*m, mtime)) return std::nullopt;
  return m;
}

// The caller holds p.lock.
void WriteMetadata(const LocalDirPaths& p, const FileMetadata& m) {
  WriteFileAtomic(p.metadata, FormatLocalDirMetadata({m.commit, m.etag, NowSeconds()}));
}

// Copies `from` to `partial`, then renames it onto p.file. A failed copy leaves nothing behind.
void CopyIntoPlace(const std::string& from, const std::string& partial, const LocalDirPaths& p) {
  MakeParents(partial);
  std::error_code ec;
  fs::copy_file(from, partial, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw LocalError(ErrorKind::kLocalIo, "cannot copy " + from + ": " + ec.message());
  }
  MoveIntoPlace(partial, p.file);
}

// Step 2, what the hub has now. When the HEAD fails for a network or server reason, the file as
// it is answers: nullopt (the caller returns p.file); without one the error is rethrown. Typed
// answers (no such repo, revision or file) are final.
std::optional<FileMetadata> HeadMetadata(const HubClient::Impl& impl, const std::string& url,
                                         const std::string& filename, const LocalDirPaths& p,
                                         const DownloadOptions& o) {
  auto local_or_rethrow = [&]() -> std::optional<FileMetadata> {
    if (!o.force_download && IsRegularFile(p.file)) return std::nullopt;
    throw;
  };
  std::string download_url;
  HttpResponse head;
  try {
    head = HeadResolve(impl, url, &download_url);
  } catch (const NetworkError&) {
    return local_or_rethrow();
  }
  try {
    RaiseForStatus(head);
  } catch (const HttpError& e) {
    if (e.kind() != ErrorKind::kHttp) throw;
    return local_or_rethrow();
  }
  return ParseFileMetadata(head, download_url, filename);
}

// Steps 3-5, under the file's lock: unchanged on the hub (nothing to fetch), else a copy from
// the cache at that commit, else a GET.
std::string PlaceFile(const HubClient::Impl& impl, const std::string& repo_id,
                      const std::string& filename, const DownloadOptions& o,
                      const ProgressFn* progress, const LocalDirPaths& p,
                      const std::optional<LocalDirMetadata>& local, const FileMetadata& m) {
  FileLock lock(p.lock);
  if (!o.force_download && IsRegularFile(p.file)) {
    bool same = local ? local->etag == m.etag
                      : IsSha256Hex(m.etag) && DigestFile(p.file, 0).sha256 == m.etag;
    if (same) {
      WriteMetadata(p, m);
      return p.file;
    }
  }
  const std::string partial = p.Incomplete(m.etag);
  if (!o.force_download) {
    CachedFile cached = LookupCache(o.cache_dir.value_or(impl.config().cache_dir), o.type, repo_id,
                                    m.commit, filename);
    if (cached.state == CachedFile::State::kCached) {
      CopyIntoPlace(cached.path, partial, p);
      WriteMetadata(p, m);
      return p.file;
    }
  }
  FetchToFile(impl, m, partial, o.force_download, filename, progress);
  MoveIntoPlace(partial, p.file);
  WriteMetadata(p, m);
  return p.file;
}

}  // namespace

std::string DownloadToLocalDir(const HubClient::Impl& impl, const std::string& repo_id,
                               const std::string& filename, const DownloadOptions& o,
                               const ProgressFn* progress, const RepoTreeEntry* known) {
  ValidateRepoId(repo_id);
  const std::string rev = o.revision.empty() ? "main" : o.revision;
  const LocalDirPaths p = MakeLocalDirPaths(*o.local_dir, filename);
  EnsureGitignore(p);
  std::optional<LocalDirMetadata> local;
  {
    FileLock lock(p.lock);
    local = ReadMetadata(p);
  }
  // 1. Already there at exactly this commit.
  if (IsCommitHash(rev) && !o.force_download && local && local->commit == rev &&
      IsRegularFile(p.file)) {
    return p.file;
  }
  // Not allowed to ask: the file as it is, else nothing (Python does not read the cache here).
  if (Offline why = DownloadOffline(impl.config(), o); why != Offline::kNo) {
    if (o.force_download) ThrowForcedOffline(why);
    if (IsRegularFile(p.file)) return p.file;
    ThrowNotCached(why,
                   repo_id + "/" + filename + " at " + rev + " (local_dir " + *o.local_dir + ")");
  }
  std::string url = ResolveUrl(impl.config().endpoint, o.type, repo_id, rev, filename);
  FileMetadata m;
  if (known) {
    m = MetadataFromTree(*known, rev, url);
  } else {
    std::optional<FileMetadata> head = HeadMetadata(impl, url, filename, p, o);
    if (!head) return p.file;
    m = std::move(*head);
  }
  return PlaceFile(impl, repo_id, filename, o, progress, p, local, m);
}

}  // namespace spacehub::client::detail
