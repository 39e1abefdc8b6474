// hf_hub_download (spec §6): metadata HEAD, then a GET into blobs/<etag>.incomplete (resumed with
// Range), renamed into place, linked from snapshots/<commit>/<path>. Concurrent downloads of one
// blob (threads or processes, ours or huggingface_hub's) serialise on .locks/<repo>/<etag>.lock.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "client/cache_layout.h"
#include "client/client_impl.h"
#include "client/error_mapping.h"
#include "client/parallel.h"
#include "client/url.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {

namespace fs = std::filesystem;
using detail::HttpRequest;
using detail::HttpResponse;

namespace {

constexpr int kMaxAttempts = 6;

void SleepBeforeRetry(int retry, const std::string& retry_after) {
  auto d = detail::RetryDelay(retry, retry_after);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<int64_t>(d.count() * detail::RetryScale())));
}

std::string Origin(const std::string& url) {
  auto s = url.find("://");
  auto p = url.find('/', s == std::string::npos ? 0 : s + 3);
  return p == std::string::npos ? url : url.substr(0, p);
}

void MakeParents(const std::string& path) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) throw LocalError(ErrorKind::kLocalIo, "cannot create " + path + ": " + ec.message());
}

// temp file + rename, so a reader never sees a half-written ref.
void WriteFileAtomic(const std::string& path, const std::string& content) {
  MakeParents(path);
  std::string tmp = path + ".tmp" + std::to_string(::getpid()) + "." +
                    std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()));
  std::error_code ec;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) {
      fs::remove(tmp, ec);
      throw LocalError(ErrorKind::kLocalIo, "cannot write " + tmp);
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw LocalError(ErrorKind::kLocalIo, "cannot write " + path + ": " + ec.message());
  }
}

std::string ReadRef(const std::string& path) {
  std::ifstream in(path);
  std::string sha;
  in >> sha;
  return sha;
}

// The per-file steps below try the operation first and create parent directories or remove an
// old entry only when it fails: a snapshot of many small files is bound by file system calls.
void LinkSnapshot(const detail::CachePaths& p) {
  int rc = ::symlink(p.link_target.c_str(), p.snapshot.c_str());
  if (rc != 0 && errno == ENOENT) {
    MakeParents(p.snapshot);
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

// open(2) with O_CREAT, creating the parent directories when they are missing.
int OpenCreating(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CREAT | O_CLOEXEC, 0664);
  if (fd < 0 && errno == ENOENT) {
    MakeParents(path);
    fd = ::open(path.c_str(), flags | O_CREAT | O_CLOEXEC, 0664);
  }
  return fd;
}

// An empty .incomplete file to download into. Truncating only when there are bytes to drop: on
// ext4 a truncate to zero makes the file's close start writeback (auto_da_alloc), which slowed
// big downloads by up to seconds.
void CreateEmpty(const std::string& path, bool has_bytes) {
  int fd = OpenCreating(path, O_WRONLY | (has_bytes ? O_TRUNC : 0));
  if (fd < 0) {
    throw LocalError(ErrorKind::kLocalIo, "cannot create " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
}

class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = OpenCreating(path, O_RDWR);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      throw LocalError(ErrorKind::kLocalIo, "cannot lock " + path + ": " + std::strerror(errno));
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

uint64_t FileSize(const std::string& path) {
  std::error_code ec;
  auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

// hf_hub_download, reporting to `progress` (may be null). `known`, when given, is the file's tree
// entry at the commit o.revision (a sha): its oid / LFS sha256 is the ETag the HEAD would answer
// (spec §6.2: git blob sha1 for regular files, sha256 for LFS) and its size the size, so the HEAD
// is skipped — half the requests of a snapshot of many small files, same cache entries.
std::string DownloadOne(const HubClient::Impl& impl, const std::string& repo_id,
                        const std::string& filename, const DownloadOptions& o,
                        const ProgressFn* progress, const RepoTreeEntry* known = nullptr) {
  detail::ValidateRepoId(repo_id);
  detail::ValidatePathInRepo(filename);
  const std::string cache = o.cache_dir.value_or(impl.config().cache_dir);
  const std::string rev = o.revision.empty() ? "main" : o.revision;
  const std::string repo_dir = cache + "/" + detail::RepoFolderName(o.type, repo_id);

  // A commit-hash revision already in the cache needs no network at all.
  if (detail::IsCommitHash(rev) && !o.force_download) {
    std::string snap = repo_dir + "/snapshots/" + rev + "/" + filename;
    if (fs::exists(snap)) return snap;
  }

  // 1. metadata HEAD: follow relative redirects ourselves, record an absolute one.
  std::string url = detail::ResolveUrl(impl.config().endpoint, o.type, repo_id, rev, filename);
  std::string download_url = url;
  HttpResponse head;
  if (known) {
    head.status = 200;
    head.headers["x-repo-commit"] = rev;
    head.headers["etag"] = known->lfs_sha256.empty() ? known->oid : known->lfs_sha256;
    head.headers["content-length"] = std::to_string(known->size);
  } else {
    try {
      for (int hops = 0;; ++hops) {
        HttpRequest r = impl.Make("HEAD", url);
        r.headers.push_back("Accept-Encoding: identity");
        r.follow_redirects = false;
        r.timeout_seconds = 10;
        head = detail::Perform(r);
        detail::RaiseForStatus(head);
        download_url = url;
        std::string location = head.Header("location");
        if (head.status < 300 || head.status >= 400 || location.empty()) break;
        bool relative = false;
        std::string next = detail::JoinLocation(url, location, &relative);
        if (!relative || hops >= 5) {
          download_url = next;
          break;
        }
        url = next;
      }
    } catch (const RepositoryNotFound&) {
      throw;
    } catch (const RevisionNotFound&) {
      throw;
    } catch (const EntryNotFound&) {
      throw;
    } catch (const HubError& e) {
      // Other failures (network, 5xx) fall back to what the cache has for this revision.
      if (e.kind() != ErrorKind::kNetwork && e.kind() != ErrorKind::kHttp) throw;
      std::string commit = detail::IsCommitHash(rev) ? rev : ReadRef(repo_dir + "/refs/" + rev);
      std::string snap = repo_dir + "/snapshots/" + commit + "/" + filename;
      if (!commit.empty() && !o.force_download && fs::exists(snap)) return snap;
      throw;
    }
  }

  std::string commit = head.Header("x-repo-commit");
  std::string etag = head.Header("x-linked-etag");
  if (etag.empty()) etag = head.Header("etag");
  etag = detail::NormalizeEtag(etag);
  std::string size_text = head.Header("x-linked-size");
  bool redirected = head.status >= 300 && head.status < 400;
  if (size_text.empty() && !redirected) size_text = head.Header("content-length");
  if (commit.empty() || etag.empty() || size_text.empty()) {
    throw HttpError(ErrorKind::kHttp, head.status, "",
                    "the server's answer lacks X-Repo-Commit, ETag or size for " + filename,
                    head.Header("x-request-id"), url);
  }
  const uint64_t size = std::stoull(size_text);
  detail::CachePaths p =
      detail::MakeCachePaths(cache, o.type, repo_id, rev, commit, filename, etag);
  if (!p.ref.empty()) WriteFileAtomic(p.ref, commit);
  bool snapshot_checked = detail::IsCommitHash(rev) && rev == commit;  // checked on entry
  if (!o.force_download && !snapshot_checked && fs::exists(p.snapshot)) return p.snapshot;
  if (!o.force_download && fs::exists(p.blob)) {
    LinkSnapshot(p);
    return p.snapshot;
  }

  // 2. GET into the .incomplete file, under the blob's lock.
  FileLock lock(p.lock);
  if (!o.force_download && fs::exists(p.blob)) {
    LinkSnapshot(p);
    return p.snapshot;
  }
  bool cross_host = Origin(download_url) != Origin(impl.config().endpoint);
  uint64_t have = FileSize(p.incomplete);
  if (o.force_download || have == 0 || have > size) {  // nothing to resume: start empty
    CreateEmpty(p.incomplete, have > 0);
    have = 0;
  }
  for (int attempt = 1;; ++attempt) {
    if (have == size) break;
    HttpRequest r = cross_host ? HttpRequest{} : impl.Make("GET", download_url);
    r.method = "GET";
    r.url = download_url;
    r.headers.push_back("Accept-Encoding: identity");
    if (have > 0) r.headers.push_back("Range: bytes=" + std::to_string(have) + "-");
    r.download_file = p.incomplete;
    r.large_buffers = size - have >= (1u << 20);
    r.restart_on_200 = true;
    r.progress = progress;
    r.progress_label = filename;
    r.progress_base = have;
    r.progress_total = size;
    try {
      HttpResponse resp = detail::Perform(r);
      if (detail::ShouldRetryStatus(resp.status, detail::RetryPolicy::kDownload) &&
          attempt < kMaxAttempts) {
        SleepBeforeRetry(attempt - 1, resp.Header("retry-after"));
        continue;
      }
      detail::RaiseForStatus(resp);
    } catch (const NetworkError&) {
      if (attempt >= kMaxAttempts) throw;  // the .incomplete file stays for the next run
      SleepBeforeRetry(attempt - 1, "");
      have = FileSize(p.incomplete);
      continue;
    } catch (const LocalError&) {
      // Disk full or unwritable: resuming cannot help, and a partial file must not stay behind.
      std::error_code ignored;
      fs::remove(p.incomplete, ignored);
      throw;
    }
    have = FileSize(p.incomplete);
    if (have == size) break;
    if (have > size) {  // more than announced: start over
      CreateEmpty(p.incomplete, true);
      have = 0;
    }
    if (attempt >= kMaxAttempts) {
      throw NetworkError("download of " + filename + " stopped at " + std::to_string(have) +
                         " of " + std::to_string(size) + " bytes; run again to resume");
    }
  }
  std::error_code ec;
  fs::rename(p.incomplete, p.blob, ec);
  if (ec) throw LocalError(ErrorKind::kLocalIo, "cannot move blob into place: " + ec.message());
  LinkSnapshot(p);
  return p.snapshot;
}

}  // namespace

std::string HubClient::HfHubDownload(const std::string& repo_id, const std::string& filename,
                                     const DownloadOptions& o) const {
  const ProgressFn* progress = impl_->options().progress ? &impl_->options().progress : nullptr;
  return DownloadOne(*impl_, repo_id, filename, o, progress);
}

std::string HubClient::SnapshotDownload(const std::string& repo_id,
                                        const DownloadOptions& o) const {
  const std::string rev = o.revision.empty() ? "main" : o.revision;
  RepoInfo info = GetRepoInfo(repo_id, o.type, rev);
  if (!detail::IsCommitHash(info.sha)) {
    throw HttpError(ErrorKind::kHttp, 200, "", "repo info for " + repo_id + " has no commit sha",
                    "", "");
  }
  DownloadOptions at_commit = o;
  at_commit.revision = info.sha;
  // The file list from the tree at that commit (paged, so past the 1000 siblings repo_info
  // lists), then the files on the worker threads, as huggingface_hub's snapshot_download does.
  TreeOptions tree;
  tree.type = o.type;
  tree.revision = info.sha;
  tree.recursive = true;
  std::vector<RepoTreeEntry> files;
  uint64_t total = 0;
  for (auto& e : ListRepoTree(repo_id, tree)) {
    if (e.is_directory) continue;
    total += static_cast<uint64_t>(e.size);
    files.push_back(std::move(e));
  }
  std::optional<detail::ProgressSum> sum;
  if (impl_->options().progress) sum.emplace(impl_->options().progress, "download", total);
  detail::ParallelFor(files.size(), std::max(1, impl_->options().max_workers), [&](size_t i) {
    ProgressFn part;
    if (sum) part = sum->Part();
    DownloadOne(*impl_, repo_id, files[i].path, at_commit, sum ? &part : nullptr, &files[i]);
  });
  const std::string cache = o.cache_dir.value_or(impl_->config().cache_dir);
  const std::string repo_dir = cache + "/" + detail::RepoFolderName(o.type, repo_id);
  if (rev != info.sha) WriteFileAtomic(repo_dir + "/refs/" + rev, info.sha);
  std::string snapshot = repo_dir + "/snapshots/" + info.sha;
  std::error_code ec;
  fs::create_directories(snapshot, ec);  // an empty repo still gets its (empty) snapshot
  return snapshot;
}

}  // namespace spacehub::client
