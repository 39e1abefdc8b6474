// libcurl transport; see http.h.
#include "client/http.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "client/rate_limit.h"
#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string RandomRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* const kHex = "0123456789abcdef";
  std::string id(16, '0');
  uint64_t v = rng();
  for (char& c : id) {
    c = kHex[v & 15];
    v >>= 4;
  }
  return id;
}

// The HTTP status of the transfer so far (0 before the status line).
int ResponseCode(CURL* curl) {
  long code = 0;  // NOLINT(google-runtime-int): CURLINFO_RESPONSE_CODE writes a long, by its API
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  return static_cast<int>(code);
}

struct Transfer {
  const HttpRequest* req = nullptr;
  HttpResponse* resp = nullptr;
  CURL* curl = nullptr;
  FILE* out = nullptr;  // download target, opened lazily on the first 2xx byte
  FILE* in = nullptr;   // upload source
  uint64_t in_left = 0;
  uint64_t moved = 0;  // bytes moved for progress
  int write_errno = 0;
  bool source_failed = false;  // body_source returned 0
  bool header_done = false;
  std::chrono::steady_clock::time_point last_byte = std::chrono::steady_clock::now();
};

// libcurl calls this about once a second even when nothing arrives, so it can end a transfer
// that has gone quiet (libcurl's own LOW_SPEED check averages over a window and fires late).
int OnXferInfo(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->header_done) return 0;  // waiting for the answer is not idling (a busy hub may be slow)
  auto quiet = std::chrono::steady_clock::now() - t->last_byte;
  if (quiet >= std::chrono::seconds(t->req->idle_timeout_seconds)) {
    t->resp->idled = true;
    return 1;  // CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    t->resp->headers.clear();  // a new response (redirect or 100-continue): keep the last only
    return size * n;
  }
  if (line.empty()) {  // end of a header block: the quiet-stream clock starts here
    t->header_done = true;
    t->last_byte = std::chrono::steady_clock::now();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t v = colon + 1;
  while (v < line.size() && line[v] == ' ') ++v;
  t->resp->headers[name] = line.substr(v);
  return size * n;
}

void Report(Transfer* t) {
  if (t->req->progress && *t->req->progress) {
    (*t->req->progress)(t->req->progress_label, t->req->progress_base + t->moved,
                        t->req->progress_total);
  }
}

size_t OnWrite(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  t->last_byte = std::chrono::steady_clock::now();
  int code = ResponseCode(t->curl);
  if (t->req->on_data && code >= 200 && code < 300) {
    if (t->req->on_data(data, len)) return len;
    t->resp->stopped = true;
    return 0;  // libcurl ends the transfer with CURLE_WRITE_ERROR
  }
  if (t->req->download_file.empty() || code < 200 || code >= 300) {
    t->resp->body.append(data, len);
    return len;
  }
  if (!t->out) {
    t->out = std::fopen(t->req->download_file.c_str(), "ab");
    if (!t->out) {
      t->write_errno = errno;
      return 0;
    }
    // Truncate only a file that has bytes: on ext4 a truncate to zero (even of an empty file, as
    // "wb" does) makes close() start writeback of everything written since (auto_da_alloc),
    // which cost a 1 GiB download ~0.2–2 s next to curl writing a new file.
    if (t->req->restart_on_200 && code == 200 && fseeko(t->out, 0, SEEK_END) == 0 &&
        ftello(t->out) > 0 && ::ftruncate(fileno(t->out), 0) != 0) {
      t->write_errno = errno;
      return 0;
    }
  }
  if (std::fwrite(data, 1, len, t->out) != len) {
    t->write_errno = errno ? errno : EIO;
    return 0;
  }
  t->moved += len;
  Report(t);
  return len;
}

// The next piece of the upload body: from the file, or from the request's body_source.
size_t OnRead(char* buffer, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t want = std::min<uint64_t>(size * n, t->in_left);
  if (want == 0) return 0;
  size_t got = 0;
  if (t->in) {
    got = std::fread(buffer, 1, want, t->in);
    if (got == 0) return CURL_READFUNC_ABORT;
  } else {
    got = t->req->body_source(buffer, want, t->req->upload_length - t->in_left);
    if (got == 0 || got > want) {
      t->source_failed = true;
      return CURL_READFUNC_ABORT;
    }
  }
  t->in_left -= got;
  t->moved += got;
  Report(t);
  return got;
}

}  // namespace

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

// This thread's easy handle. Reusing it (after curl_easy_reset, which keeps the connection cache)
// saves a TCP (and TLS) handshake per request. A request made from inside a callback of another
// (a log line handler calling the hub) gets a handle of its own for that one request.
using CurlPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

class HandleLease {
 public:
  HandleLease() : own_(nullptr, &curl_easy_cleanup) {
    thread_local CurlPtr cached(nullptr, &curl_easy_cleanup);
    thread_local bool busy = false;
    if (busy) {
      own_.reset(curl_easy_init());
      handle_ = own_.get();
      return;
    }
    if (!cached) cached.reset(curl_easy_init());
    handle_ = cached.get();
    if (handle_) {
      curl_easy_reset(handle_);
      busy_ = &busy;
      busy = true;
    }
  }
  ~HandleLease() {
    if (busy_) *busy_ = false;
  }
  HandleLease(const HandleLease&) = delete;
  HandleLease& operator=(const HandleLease&) = delete;
  CURL* get() const { return handle_; }

 private:
  CurlPtr own_;
  CURL* handle_ = nullptr;
  bool* busy_ = nullptr;
};

}  // namespace

namespace {

// SPACEHUB_CLIENT_DEBUG=1: one line per request on stderr (method, URL, status or error, time),
// for finding where a slow or failing call spends its time. Read once.
bool DebugLog() {
  static const bool kOn = [] {
    const char* v = std::getenv("SPACEHUB_CLIENT_DEBUG");
    return v && *v && std::string(v) != "0";
  }();
  return kOn;
}

void LogRequest(const HttpRequest& req, const std::string& outcome,
                std::chrono::steady_clock::time_point start) {
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "spacehub-client: %s %s -> %s (%.1f ms)\n", req.method.c_str(),
               req.url.c_str(), outcome.c_str(), ms);
}

}  // namespace

HttpResponse Perform(const HttpRequest& req) {
  if (DebugLog()) {
    auto start = std::chrono::steady_clock::now();
    try {
      HttpResponse r = PerformOnce(req);
      LogRequest(req, std::to_string(r.status), start);
      return r;
    } catch (const std::exception& e) {
      LogRequest(req, e.what(), start);
      throw;
    }
  }
  return PerformOnce(req);
}

namespace {

using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;
using FileGuard = std::unique_ptr<FILE, decltype(&std::fclose)>;

// The caller's headers, plus a fresh request id and no 100-continue round trip.
HeaderList RequestHeaders(const HttpRequest& req) {
  curl_slist* headers = nullptr;
  for (const auto& h : req.headers) headers = curl_slist_append(headers, h.c_str());
  std::string rid = "X-Request-Id: " + RandomRequestId();
  headers = curl_slist_append(headers, rid.c_str());
  headers = curl_slist_append(headers, "Expect:");
  return HeaderList(headers, &curl_slist_free_all);
}

// URL, headers, redirects, timeouts, buffers and the response callbacks.
void SetTransferOptions(CURL* c, const HttpRequest& req, curl_slist* headers, Transfer& t) {
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // required for multi-threaded use
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, req.connect_timeout_seconds);
  if (req.timeout_seconds > 0) curl_easy_setopt(c, CURLOPT_TIMEOUT, req.timeout_seconds);
  if (req.idle_timeout_seconds > 0) {
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &OnXferInfo);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  }
  // Bigger buffers than libcurl's 16 KiB / 64 KiB defaults: fewer write()s and callbacks per
  // byte on large files (the curl tool itself reads with 100 KiB).
  if (req.large_buffers) {
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
  }
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
}

// The method and what it sends: a byte range of a file streamed from disk, a body_source, or
// `req.body`.
// Returns the open upload file, which must outlive curl_easy_perform.
FileGuard SetRequestBody(CURL* c, const HttpRequest& req, Transfer& t) {
  FileGuard in_guard(nullptr, &std::fclose);
  if (!req.upload_file.empty() || req.body_source) {
    if (!req.upload_file.empty()) {
      t.in = std::fopen(req.upload_file.c_str(), "rb");
      if (!t.in) {
        throw LocalError(ErrorKind::kLocalIo,
                         "cannot read " + req.upload_file + ": " + std::strerror(errno));
      }
      in_guard.reset(t.in);
      if (fseeko(t.in, static_cast<off_t>(req.upload_offset), SEEK_SET) != 0) {
        throw LocalError(ErrorKind::kLocalIo, "cannot seek in " + req.upload_file);
      }
    }
    t.in_left = req.upload_length;
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &OnRead);
    curl_easy_setopt(c, CURLOPT_READDATA, &t);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.upload_length));
    if (req.method != "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else if (req.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
    }
  }
  return in_guard;
}

// Closes the download file and turns curl's result into an exception or a normal end: a write
// the caller stopped, or a stream that went quiet after a 2xx answer began, is not an error.
void FinishTransfer(CURL* c, const HttpRequest& req, Transfer& t, CURLcode rc) {
  if (t.out) {
    if (std::fclose(t.out) != 0 && !t.write_errno) t.write_errno = errno;
    t.out = nullptr;
  }
  if (t.write_errno) {
    throw LocalError(ErrorKind::kLocalIo,
                     "cannot write " + req.download_file + ": " + std::strerror(t.write_errno));
  }
  if (t.source_failed) {  // a local failure: retrying would not help
    throw LocalError(ErrorKind::kLocalIo, "cannot produce the body for " + req.url);
  }
  if (rc == CURLE_WRITE_ERROR && t.resp->stopped) rc = CURLE_OK;
  if (rc == CURLE_ABORTED_BY_CALLBACK && t.resp->idled) {
    int got = ResponseCode(c);
    if (got >= 200 && got < 300) {
      rc = CURLE_OK;  // a stream that went quiet after its answer began: a normal end
    } else {
      throw NetworkError("the answer from " + req.url + " stalled for " +
                         std::to_string(req.idle_timeout_seconds) + " s");
    }
  }
  if (rc != CURLE_OK) {
    throw NetworkError(std::string("network error on ") + req.method + " " + req.url + ": " +
                       curl_easy_strerror(rc));
  }
}

}  // namespace

HttpResponse PerformOnce(const HttpRequest& req) {
  GlobalInitOnce();
  HttpResponse resp;
  Transfer t;
  t.req = &req;
  t.resp = &resp;
  HandleLease lease;
  CURL* c = lease.get();
  if (!c) throw NetworkError("libcurl: cannot create a handle");
  t.curl = c;

  HeaderList headers = RequestHeaders(req);
  SetTransferOptions(c, req, headers.get(), t);
  FileGuard upload = SetRequestBody(c, req, t);
  FinishTransfer(c, req, t, curl_easy_perform(c));

  resp.status = ResponseCode(c);
  char* effective = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
  resp.url = effective ? effective : req.url;
  return resp;
}

bool ShouldRetryStatus(int status, RetryPolicy policy) {
  switch (policy) {
    case RetryPolicy::kNone:
      return false;
    case RetryPolicy::kDownload:
      return status == 408 || status == 429;
    case RetryPolicy::kAll:
      return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
             status == 504;
  }
  return false;
}

std::chrono::milliseconds RetryDelay(int retry, const std::string& retry_after) {
  if (!retry_after.empty()) {
    char* end = nullptr;
    int64_t s = std::strtoll(retry_after.c_str(), &end, 10);
    if (end && *end == '\0' && s >= 0 && s <= 300) return std::chrono::seconds(s);
  }
  int64_t ms = 1000LL << std::min(retry, 3);
  return std::chrono::milliseconds(std::min<int64_t>(ms, 8000));
}

std::chrono::milliseconds RetryDelay(int retry, const HttpResponse& response) {
  if (response.status == 429) {
    auto limit = ParseRateLimit(response.Header("ratelimit"), response.Header("ratelimit-policy"));
    // Python adds a second "to avoid rounding issues" and sets no upper bound; we keep the same
    // 300 s bound as for Retry-After so one header cannot park a call for hours.
    if (limit) return std::chrono::seconds(std::min<int64_t>(limit->reset_in_seconds + 1, 300));
  }
  return RetryDelay(retry, response.Header("retry-after"));
}

double RetryScale() {
  static const double kScale = [] {
    const char* v = std::getenv("SPACEHUB_CLIENT_RETRY_SCALE");
    double d = v ? std::strtod(v, nullptr) : 1.0;
    return d >= 0 && d <= 1.0 ? d : 1.0;
  }();
  return kScale;
}

namespace {

void SleepFor(std::chrono::milliseconds d) {
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<int64_t>(d.count() * RetryScale())));
}

}  // namespace

HttpResponse PerformWithRetry(const HttpRequest& req, RetryPolicy policy) {
  constexpr int kMaxRetries = 5;
  for (int attempt = 0;; ++attempt) {
    bool last = policy == RetryPolicy::kNone || attempt >= kMaxRetries;
    try {
      HttpResponse r = Perform(req);
      if (last || !ShouldRetryStatus(r.status, policy)) return r;
      SleepFor(RetryDelay(attempt, r));
    } catch (const NetworkError&) {
      if (last) throw;
      SleepFor(RetryDelay(attempt, ""));
    }
  }
}

}  // namespace spacehub::client::detail
