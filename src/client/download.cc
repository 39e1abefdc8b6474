// hf_hub_download (spec §6): metadata HEAD, then a GET into blobs/<etag>.incomplete (resumed with
// Range), renamed into place, linked from snapshots/<commit>/<path>. Concurrent downloads of one
// blob (threads or processes, ours or huggingface_hub's) serialise on .locks/<repo>/<etag>.lock.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "client/cache_layout.h"
#include "client/client_impl.h"
#include "client/error_mapping.h"
#include "client/url.h"
#include "spacehub/hub_client.h"

namespace spacehub::client {

namespace fs = std::filesystem;
using detail::HttpRequest;
using detail::HttpResponse;

namespace {

constexpr int kMaxAttempts = 6;

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
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) throw LocalError(ErrorKind::kLocalIo, "cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw LocalError(ErrorKind::kLocalIo, "cannot write " + path + ": " + ec.message());
}

std::string ReadRef(const std::string& path) {
  std::ifstream in(path);
  std::string sha;
  in >> sha;
  return sha;
}

void LinkSnapshot(const detail::CachePaths& p) {
  MakeParents(p.snapshot);
  std::error_code ec;
  fs::remove(p.snapshot, ec);
  fs::create_symlink(p.link_target, p.snapshot, ec);
  if (ec) throw LocalError(ErrorKind::kLocalIo, "cannot link " + p.snapshot + ": " + ec.message());
}

class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    MakeParents(path);
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
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

}  // namespace

std::string HubClient::HfHubDownload(const std::string& repo_id, const std::string& filename,
                                     const DownloadOptions& o) const {
  detail::ValidateRepoId(repo_id);
  detail::ValidatePathInRepo(filename);
  const std::string cache = o.cache_dir.value_or(impl_->config().cache_dir);
  const std::string rev = o.revision.empty() ? "main" : o.revision;
  const std::string repo_dir = cache + "/" + detail::RepoFolderName(o.type, repo_id);

  // A commit-hash revision already in the cache needs no network at all.
  if (detail::IsCommitHash(rev) && !o.force_download) {
    std::string snap = repo_dir + "/snapshots/" + rev + "/" + filename;
    if (fs::exists(snap)) return snap;
  }

  // 1. metadata HEAD: follow relative redirects ourselves, record an absolute one.
  std::string url = detail::ResolveUrl(impl_->config().endpoint, o.type, repo_id, rev, filename);
  std::string download_url = url;
  HttpResponse head;
  try {
    for (int hops = 0;; ++hops) {
      HttpRequest r = impl_->Make("HEAD", url);
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
  if (!o.force_download && fs::exists(p.snapshot)) return p.snapshot;
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
  MakeParents(p.incomplete);
  if (o.force_download) fs::remove(p.incomplete);
  bool cross_host = Origin(download_url) != Origin(impl_->config().endpoint);
  for (int attempt = 1;; ++attempt) {
    uint64_t have = FileSize(p.incomplete);
    if (have > size) {
      fs::remove(p.incomplete);
      have = 0;
    }
    if (have == size) break;
    HttpRequest r = cross_host ? HttpRequest{} : impl_->Make("GET", download_url);
    r.method = "GET";
    r.url = download_url;
    r.headers.push_back("Accept-Encoding: identity");
    if (have > 0) r.headers.push_back("Range: bytes=" + std::to_string(have) + "-");
    r.download_file = p.incomplete;
    r.restart_on_200 = true;
    if (have == 0) {  // nothing to resume: start from an empty file
      std::ofstream(p.incomplete, std::ios::binary | std::ios::trunc);
    }
    if (impl_->options().progress) r.progress = &impl_->options().progress;
    r.progress_label = filename;
    r.progress_base = have;
    r.progress_total = size;
    try {
      HttpResponse resp = detail::Perform(r);
      if (detail::ShouldRetryStatus(resp.status, detail::RetryPolicy::kDownload) &&
          attempt < kMaxAttempts) {
        continue;
      }
      detail::RaiseForStatus(resp);
    } catch (const NetworkError&) {
      if (attempt >= kMaxAttempts) throw;  // the .incomplete file stays for the next run
      continue;
    }
    if (FileSize(p.incomplete) == size) break;
    if (attempt >= kMaxAttempts) {
      throw NetworkError("download of " + filename + " stopped at " +
                         std::to_string(FileSize(p.incomplete)) + " of " + std::to_string(size) +
                         " bytes; run again to resume");
    }
  }
  std::error_code ec;
  fs::rename(p.incomplete, p.blob, ec);
  if (ec) throw LocalError(ErrorKind::kLocalIo, "cannot move blob into place: " + ec.message());
  LinkSnapshot(p);
  return p.snapshot;
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
  for (const auto& file : info.siblings) HfHubDownload(repo_id, file.path, at_commit);
  const std::string cache = o.cache_dir.value_or(impl_->config().cache_dir);
  const std::string repo_dir = cache + "/" + detail::RepoFolderName(o.type, repo_id);
  if (rev != info.sha) WriteFileAtomic(repo_dir + "/refs/" + rev, info.sha);
  std::string snapshot = repo_dir + "/snapshots/" + info.sha;
  std::error_code ec;
  fs::create_directories(snapshot, ec);  // an empty repo still gets its (empty) snapshot
  return snapshot;
}

}  // namespace spacehub::client
