// See download_steps.h.
#include "client/download_steps.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "client/cache_layout.h"
#include "client/error_mapping.h"
#include "client/url.h"
#include "client/xet_download.h"

namespace spacehub::client::detail {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxAttempts = 6;

void SleepFor(std::chrono::milliseconds d) {
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<int64_t>(d.count() * RetryScale())));
}

std::string Origin(const std::string& url) {
  auto s = url.find("://");
  auto p = url.find('/', s == std::string::npos ? 0 : s + 3);
  return p == std::string::npos ? url : url.substr(0, p);
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

// An empty file to download into. Truncating only when there are bytes to drop: on ext4 a
// truncate to zero makes the file's close start writeback (auto_da_alloc), which slowed big
// downloads by up to seconds.
void CreateEmpty(const std::string& path, bool has_bytes) {
  int fd = OpenCreating(path, O_WRONLY | (has_bytes ? O_TRUNC : 0));
  if (fd < 0) {
    throw LocalError(ErrorKind::kLocalIo, "cannot create " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
}

uint64_t FileSize(const std::string& path) {
  std::error_code ec;
  auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

}  // namespace

HttpResponse HeadResolve(const HubClient::Impl& impl, const std::string& start,
                         std::string* download_url) {
  std::string url = start;
  *download_url = url;
  for (int hops = 0;; ++hops) {
    HttpRequest r = impl.Make("HEAD", url);
    r.headers.emplace_back("Accept-Encoding: identity");
    r.follow_redirects = false;
    r.timeout_seconds = 10;
    HttpResponse head = Perform(r);
    *download_url = url;
    std::string location = head.Header("location");
    if (head.status < 300 || head.status >= 400 || location.empty()) return head;
    bool relative = false;
    std::string next = JoinLocation(url, location, &relative);
    if (!relative || hops >= 5) {
      *download_url = next;
      return head;
    }
    url = next;
  }
}

FileMetadata ParseFileMetadata(const HttpResponse& head, const std::string& download_url,
                               const std::string& filename) {
  FileMetadata m;
  m.commit = head.Header("x-repo-commit");
  m.etag = head.Header("x-linked-etag");
  if (m.etag.empty()) m.etag = head.Header("etag");
  m.etag = NormalizeEtag(m.etag);
  std::string size_text = head.Header("x-linked-size");
  bool redirected = head.status >= 300 && head.status < 400;
  if (size_text.empty() && !redirected) size_text = head.Header("content-length");
  char* end = nullptr;
  const uint64_t size = size_text.empty() ? 0 : std::strtoull(size_text.c_str(), &end, 10);
  if (m.commit.empty() || m.etag.empty() || size_text.empty() || *end != '\0') {
    throw HttpError(ErrorKind::kHttp, head.status, "",
                    "the server's answer lacks X-Repo-Commit, ETag or size for " + filename,
                    head.Header("x-request-id"), head.url);
  }
  m.size = size;
  m.download_url = download_url;
  m.xet_hash = head.Header("x-xet-hash");
  if (!m.xet_hash.empty()) m.xet_auth_url = LinkWithRel(head.Header("link"), "xet-auth");
  return m;
}

FileMetadata MetadataFromTree(const RepoTreeEntry& entry, const std::string& commit,
                              const std::string& url) {
  FileMetadata m;
  m.commit = commit;
  m.etag = entry.lfs_sha256.empty() ? entry.oid : entry.lfs_sha256;
  m.size = static_cast<uint64_t>(entry.size);
  m.download_url = url;
  return m;
}

void FetchToFile(const HubClient::Impl& impl, const FileMetadata& m, const std::string& partial,
                 bool restart, const std::string& label, const ProgressFn* progress) {
  const uint64_t size = m.size;
  bool cross_host = Origin(m.download_url) != Origin(impl.config().endpoint);
  uint64_t have = FileSize(partial);
  if (restart || have == 0 || have > size) {  // nothing to resume: start empty
    CreateEmpty(partial, have > 0);
    have = 0;
  }
  if (have == 0 && !m.xet_hash.empty() && !m.xet_auth_url.empty() && impl.options().use_xet) {
    try {
      XetFetchToFile(impl, m, partial, label, progress);
      return;
    } catch (const HubError& e) {             // the plain GET below still serves the same bytes
      if (e.kind() == ErrorKind::kLocalIo) {  // a full disk: nothing half-written may stay
        std::error_code ignored;
        fs::remove(partial, ignored);
        throw;
      }
      if (const char* debug = std::getenv("SPACEHUB_CLIENT_DEBUG"); debug && *debug == '1') {
        std::fprintf(stderr, "spacehub-client: Xet download of %s failed (%s); plain GET\n",
                     label.c_str(), e.what());
      }
    }
    CreateEmpty(partial, true);
  }
  for (int attempt = 1;; ++attempt) {
    if (have == size) return;
    // A signed URL on another host gets no Authorization (spec §6.2).
    HttpRequest r = cross_host ? HttpRequest{} : impl.Make("GET", m.download_url);
    r.method = "GET";
    r.url = m.download_url;
    r.headers.emplace_back("Accept-Encoding: identity");
    if (have > 0) r.headers.push_back("Range: bytes=" + std::to_string(have) + "-");
    r.download_file = partial;
    r.large_buffers = size - have >= (1u << 20);
    r.restart_on_200 = true;
    r.progress = progress;
    r.progress_label = label;
    r.progress_base = have;
    r.progress_total = size;
    try {
      HttpResponse resp = Perform(r);
      if (ShouldRetryStatus(resp.status, RetryPolicy::kDownload) && attempt < kMaxAttempts) {
        SleepFor(RetryDelay(attempt - 1, resp));
        continue;
      }
      RaiseForStatus(resp);
    } catch (const NetworkError&) {
      if (attempt >= kMaxAttempts) throw;  // the partial file stays for the next run
      SleepFor(RetryDelay(attempt - 1, ""));
      have = FileSize(partial);
      continue;
    } catch (const LocalError&) {
      // Disk full or unwritable: resuming cannot help, and a partial file must not stay behind.
      std::error_code ignored;
      fs::remove(partial, ignored);
      throw;
    }
    have = FileSize(partial);
    if (have == size) return;
    if (have > size) {  // more than announced: start over
      CreateEmpty(partial, true);
      have = 0;
    }
    if (attempt >= kMaxAttempts) {
      throw NetworkError("download of " + label + " stopped at " + std::to_string(have) + " of " +
                         std::to_string(size) + " bytes; run again to resume");
    }
  }
}

FileLock::FileLock(const std::string& path) {
  fd_ = OpenCreating(path, O_RDWR);
  if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
    int err = errno;
    if (fd_ >= 0) ::close(fd_);
    throw LocalError(ErrorKind::kLocalIo, "cannot lock " + path + ": " + std::strerror(err));
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

void MakeParents(const std::string& path) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) throw LocalError(ErrorKind::kLocalIo, "cannot create " + path + ": " + ec.message());
}

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

void MoveIntoPlace(const std::string& from, const std::string& to) {
  int rc = ::rename(from.c_str(), to.c_str());
  int err = errno;
  if (rc != 0 && err == ENOENT && ::access(from.c_str(), F_OK) == 0) {  // to's parent is missing
    MakeParents(to);
    rc = ::rename(from.c_str(), to.c_str());
    err = errno;
  }
  if (rc != 0) {
    throw LocalError(ErrorKind::kLocalIo,
                     "cannot move " + from + " to " + to + ": " + std::strerror(err));
  }
}

}  // namespace spacehub::client::detail
