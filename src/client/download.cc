// hf_hub_download into the cache (spec §6): metadata HEAD, then a GET into blobs/<etag>.incomplete
// (resumed with Range), renamed into place, linked from snapshots/<commit>/<path>. Concurrent
// downloads of one blob (threads or processes, ours or huggingface_hub's) serialise on
// .locks/<repo>/<etag>.lock. A 404 EntryNotFound leaves a .no_exist/<commit>/<path> marker, as
// huggingface_hub does, which TryToLoadFromCache reports. Offline (local_files_only,
// HF_HUB_OFFLINE) the answer comes from refs/ and snapshots/ only. Also the HubClient entry points
// that choose between the cache and a local_dir, and SnapshotDownload (its file filter, its
// offline answer).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "client/cache_layout.h"
#include "client/cache_lookup.h"
#include "client/download_modes.h"
#include "client/download_steps.h"
#include "client/error_mapping.h"
#include "client/offline.h"
#include "client/parallel.h"
#include "client/repo_filter.h"
#include "client/url.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {

namespace fs = std::filesystem;
using detail::HttpResponse;

namespace {

std::string ReadRef(const std::string& path) {
  std::ifstream in(path);
  std::string sha;
  in >> sha;
  return sha;
}

// refs/<revision> := commit, unless the revision is that commit or the ref already says so.
void WriteRef(const std::string& repo_dir, const std::string& revision, const std::string& commit) {
  if (revision == commit) return;
  std::string path = repo_dir + "/refs/" + revision;
  if (ReadRef(path) != commit) detail::WriteFileAtomic(path, commit);
}

// The per-file steps below try the operation first and create parent directories or remove an
// old entry only when it fails: a snapshot of many small files is bound by file system calls.
void LinkSnapshot(const detail::CachePaths& p) {
  int rc = ::symlink(p.link_target.c_str(), p.snapshot.c_str());
  if (rc != 0 && errno == ENOENT) {
    detail::MakeParents(p.snapshot);
    rc = ::symlink(p.link_target.c_str(), p.snapshot.c_str());
  }
  if (rc != 0 && errno == EEXIST) {
    std::error_code ec;
    fs::remove(p.snapshot, ec);
    rc = ::symlink(p.link_target.c_str(), p.snapshot.c_str());
  }
  if (rc != 0) {
    throw LocalError(ErrorKind::kLocalIo,
                     "cannot link " + p.snapshot + ": " + std::strerror(errno));
  }
}

// huggingface_hub's answer to a 404 EntryNotFound that names the commit: an empty
// .no_exist/<commit>/<path> file and refs/<revision>, so a later lookup of that revision knows
// the file is missing without asking. Failing to write it is not the caller's error (Python
// logs and goes on); the EntryNotFound is thrown either way.
void RecordNoExist(const std::string& repo_dir, const std::string& revision,
                   const std::string& filename, const HttpResponse& head) {
  std::string commit = head.Header("x-repo-commit");
  std::string marker = detail::NoExistPath(repo_dir, commit, filename);
  if (marker.empty()) return;
  try {
    detail::MakeParents(marker);
    std::ofstream touch(marker, std::ios::app);
    WriteRef(repo_dir, revision, commit);
  } catch (const LocalError&) {
  }
}

// What the cache has for `rev` ("" = nothing): the answer when the hub is not asked.
std::string CachedSnapshot(const std::string& repo_dir, const std::string& rev,
                           const std::string& filename, const DownloadOptions& o) {
  std::string commit = detail::CachedCommit(repo_dir, rev);
  std::string snap = repo_dir + "/snapshots/" + commit + "/" + filename;
  return !commit.empty() && !o.force_download && fs::exists(snap) ? snap : "";
}

// Step 1, the metadata HEAD. When it fails for a network or server reason, what the cache has for
// this revision is the answer (Python's offline fallback): nullopt with `*fallback` set; without
// one the error is rethrown. Typed answers (no such repo, revision or file; a bad request) are
// final.
std::optional<detail::FileMetadata> HeadMetadata(const HubClient::Impl& impl,
                                                 const std::string& url,
                                                 const std::string& repo_dir,
                                                 const std::string& rev,
                                                 const std::string& filename,
                                                 const DownloadOptions& o, std::string* fallback) {
  auto cached_or_rethrow = [&]() -> std::optional<detail::FileMetadata> {
    *fallback = CachedSnapshot(repo_dir, rev, filename, o);
    if (!fallback->empty()) return std::nullopt;
    throw;
  };
  std::string download_url;
  HttpResponse head;
  try {
    head = detail::HeadResolve(impl, url, &download_url);
  } catch (const NetworkError&) {
    return cached_or_rethrow();
  }
  if (head.status >= 400 && head.Header("x-error-code") == "EntryNotFound") {
    RecordNoExist(repo_dir, rev, filename, head);
  }
  try {
    detail::RaiseForStatus(head);
  } catch (const HttpError& e) {
    if (e.kind() != ErrorKind::kHttp) throw;
    return cached_or_rethrow();
  }
  return detail::ParseFileMetadata(head, download_url, filename);
}

// Step 2: the blob (reused when present, else a GET into the .incomplete file under the blob's
// lock, then renamed into place) linked from the snapshot.
std::string PlaceBlob(const HubClient::Impl& impl, const detail::FileMetadata& m,
                      const detail::CachePaths& p, const std::string& rev,
                      const std::string& filename, const DownloadOptions& o,
                      const ProgressFn* progress) {
  if (!p.ref.empty()) detail::WriteFileAtomic(p.ref, m.commit);
  bool snapshot_checked = detail::IsCommitHash(rev) && rev == m.commit;  // checked on entry
  if (!o.force_download && !snapshot_checked && fs::exists(p.snapshot)) return p.snapshot;
  if (!o.force_download && fs::exists(p.blob)) {
    LinkSnapshot(p);
    return p.snapshot;
  }
  detail::FileLock lock(p.lock);
  if (!o.force_download && fs::exists(p.blob)) {
    LinkSnapshot(p);
    return p.snapshot;
  }
  detail::FetchToFile(impl, m, p.incomplete, o.force_download, filename, progress);
  std::error_code ec;
  fs::rename(p.incomplete, p.blob, ec);
  if (ec) throw LocalError(ErrorKind::kLocalIo, "cannot move blob into place: " + ec.message());
  LinkSnapshot(p);
  return p.snapshot;
}

}  // namespace

namespace detail {

std::string DownloadToCache(const HubClient::Impl& impl, const std::string& repo_id,
                            const std::string& filename, const DownloadOptions& o,
                            const ProgressFn* progress, const RepoTreeEntry* known) {
  ValidateRepoId(repo_id);
  ValidatePathInRepo(filename);
  const std::string cache = o.cache_dir.value_or(impl.config().cache_dir);
  const std::string rev = o.revision.empty() ? "main" : o.revision;
  const std::string repo_dir = cache + "/" + RepoFolderName(o.type, repo_id);

  // A commit-hash revision already in the cache needs no network at all.
  if (IsCommitHash(rev) && !o.force_download) {
    std::string snap = repo_dir + "/snapshots/" + rev + "/" + filename;
    if (fs::exists(snap)) return snap;
  }
  if (Offline why = DownloadOffline(impl.config(), o); why != Offline::kNo) {
    if (o.force_download) ThrowForcedOffline(why);
    if (std::string snap = CachedSnapshot(repo_dir, rev, filename, o); !snap.empty()) return snap;
    ThrowNotCached(why, repo_id + "/" + filename + " at " + rev);
  }
  std::string url = ResolveUrl(impl.config().endpoint, o.type, repo_id, rev, filename);
  FileMetadata m;
  if (known) {
    m = MetadataFromTree(*known, rev, url);
  } else {
    std::string fallback;
    std::optional<FileMetadata> head =
        HeadMetadata(impl, url, repo_dir, rev, filename, o, &fallback);
    if (!head) return fallback;
    m = std::move(*head);
  }
  CachePaths p = MakeCachePaths(cache, o.type, repo_id, rev, m.commit, filename, m.etag);
  return PlaceBlob(impl, m, p, rev, filename, o, progress);
}

}  // namespace detail

namespace {

// Python returns a snapshot's local_dir resolved (os.path.realpath).
std::string Resolved(const std::string& dir) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(dir, ec);
  return ec ? dir : p.string();
}

std::string DownloadOne(const HubClient::Impl& impl, const std::string& repo_id,
                        const std::string& filename, const DownloadOptions& o,
                        const ProgressFn* progress, const RepoTreeEntry* known = nullptr) {
  if (o.local_dir) return detail::DownloadToLocalDir(impl, repo_id, filename, o, progress, known);
  return detail::DownloadToCache(impl, repo_id, filename, o, progress, known);
}

}  // namespace

std::string HubClient::HfHubDownload(const std::string& repo_id, const std::string& filename,
                                     const DownloadOptions& o) const {
  const ProgressFn* progress = impl_->options().progress ? &impl_->options().progress : nullptr;
  return DownloadOne(*impl_, repo_id, filename, o, progress);
}

CachedFile HubClient::TryToLoadFromCache(const std::string& repo_id, const std::string& filename,
                                         const DownloadOptions& o) const {
  detail::ValidateRepoId(repo_id);
  return detail::LookupCache(o.cache_dir.value_or(impl_->config().cache_dir), o.type, repo_id,
                             o.revision, filename);
}

namespace {

// Without repo_info: the snapshot the cache holds for the revision, or a local_dir that already
// holds files — Python cannot tell whether either is complete, and neither can we. "" = none.
std::string SnapshotOnDisk(const DownloadOptions& o, const std::string& repo_dir,
                           const std::string& rev) {
  std::error_code ec;
  if (o.local_dir) {
    bool has_files = fs::is_directory(*o.local_dir, ec) && !fs::is_empty(*o.local_dir, ec);
    return has_files ? Resolved(*o.local_dir) : "";
  }
  std::string commit = detail::CachedCommit(repo_dir, rev);
  std::string snapshot = repo_dir + "/snapshots/" + commit;
  return !commit.empty() && fs::is_directory(snapshot, ec) ? snapshot : "";
}

// The files of the tree at `commit` (paged, so past the 1000 siblings repo_info lists) that the
// patterns select, and their total size.
std::vector<RepoTreeEntry> SelectedFiles(const HubClient& hub, const std::string& repo_id,
                                         const DownloadOptions& o, const std::string& commit,
                                         uint64_t* total) {
  TreeOptions tree;
  tree.type = o.type;
  tree.revision = commit;
  tree.recursive = true;
  std::vector<RepoTreeEntry> files;
  *total = 0;
  for (auto& e : hub.ListRepoTree(repo_id, tree)) {
    if (e.is_directory) continue;
    if (!detail::RepoPathSelected(e.path, o.allow_patterns, o.ignore_patterns)) continue;
    *total += static_cast<uint64_t>(e.size);
    files.push_back(std::move(e));
  }
  return files;
}

// The files on the worker threads, as huggingface_hub's snapshot_download does, with one summed
// progress.
void DownloadFiles(const HubClient::Impl& impl, const std::string& repo_id,
                   const std::vector<RepoTreeEntry>& files, const DownloadOptions& at_commit,
                   uint64_t total) {
  std::optional<detail::ProgressSum> sum;
  if (impl.options().progress) sum.emplace(impl.options().progress, "download", total);
  detail::ParallelFor(files.size(), std::max(1, impl.options().max_workers), [&](size_t i) {
    ProgressFn part;
    if (sum) part = sum->Part();
    DownloadOne(impl, repo_id, files[i].path, at_commit, sum ? &part : nullptr, &files[i]);
  });
}

// The folder to return; an empty repo (or filter) still gets its folder.
std::string FinishSnapshot(const DownloadOptions& o, const std::string& repo_dir,
                           const std::string& rev, const std::string& commit) {
  std::error_code ec;
  if (o.local_dir) {
    fs::create_directories(*o.local_dir, ec);
    return Resolved(*o.local_dir);
  }
  if (rev != commit) detail::WriteFileAtomic(repo_dir + "/refs/" + rev, commit);
  std::string snapshot = repo_dir + "/snapshots/" + commit;
  fs::create_directories(snapshot, ec);
  return snapshot;
}

}  // namespace

std::string HubClient::SnapshotDownload(const std::string& repo_id,
                                        const DownloadOptions& o) const {
  detail::ValidateRepoId(repo_id);
  const std::string rev = o.revision.empty() ? "main" : o.revision;
  const std::string cache = o.cache_dir.value_or(impl_->config().cache_dir);
  const std::string repo_dir = cache + "/" + detail::RepoFolderName(o.type, repo_id);
  if (detail::Offline why = detail::DownloadOffline(impl_->config(), o);
      why != detail::Offline::kNo) {
    if (std::string found = SnapshotOnDisk(o, repo_dir, rev); !found.empty()) return found;
    detail::ThrowNotCached(why, "a snapshot of " + repo_id + " at " + rev);
  }
  RepoInfo info;
  try {
    info = GetRepoInfo(repo_id, o.type, rev);
  } catch (const HubError& e) {
    // Unreachable or a server failure: what is on disk, as in Python. Typed answers (no such
    // repo or revision) are final.
    if (e.kind() != ErrorKind::kNetwork && e.kind() != ErrorKind::kHttp) throw;
    if (std::string found = SnapshotOnDisk(o, repo_dir, rev); !found.empty()) return found;
    throw;
  }
  if (!detail::IsCommitHash(info.sha)) {
    throw HttpError(ErrorKind::kHttp, 200, "", "repo info for " + repo_id + " has no commit sha",
                    "", "");
  }
  DownloadOptions at_commit = o;
  at_commit.revision = info.sha;
  uint64_t total = 0;
  std::vector<RepoTreeEntry> files = SelectedFiles(*this, repo_id, o, info.sha, &total);
  DownloadFiles(*impl_, repo_id, files, at_commit, total);
  return FinishSnapshot(o, repo_dir, rev, info.sha);
}

}  // namespace spacehub::client
