// libcurl transport; see http.h.
#include "client/http.h"

#include <curl/curl.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string RandomRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string id(16, '0');
  uint64_t v = rng();
  for (char& c : id) {
    c = kHex[v & 15];
    v >>= 4;
  }
  return id;
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
  bool header_done = false;
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    t->resp->headers.clear();  // a new response (redirect or 100-continue): keep the last only
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
  long code = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
  if (t->req->download_file.empty() || code < 200 || code >= 300) {
    t->resp->body.append(data, len);
    return len;
  }
  if (!t->out) {
    bool truncate = t->req->restart_on_200 && code == 200;
    t->out = std::fopen(t->req->download_file.c_str(), truncate ? "wb" : "ab");
    if (!t->out) {
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

size_t OnRead(char* buffer, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t want = std::min<uint64_t>(size * n, t->in_left);
  if (want == 0) return 0;
  size_t got = std::fread(buffer, 1, want, t->in);
  if (got == 0) return CURL_READFUNC_ABORT;
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

HttpResponse Perform(const HttpRequest& req) {
  GlobalInitOnce();
  HttpResponse resp;
  Transfer t;
  t.req = &req;
  t.resp = &resp;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw NetworkError("libcurl: cannot create a handle");
  t.curl = curl.get();
  CURL* c = curl.get();

  curl_slist* headers = nullptr;
  for (const auto& h : req.headers) headers = curl_slist_append(headers, h.c_str());
  std::string rid = "X-Request-Id: " + RandomRequestId();
  headers = curl_slist_append(headers, rid.c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers,
                                                                           &curl_slist_free_all);

  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // required for multi-threaded use
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, req.connect_timeout_seconds);
  if (req.timeout_seconds > 0) curl_easy_setopt(c, CURLOPT_TIMEOUT, req.timeout_seconds);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);

  std::unique_ptr<FILE, decltype(&std::fclose)> in_guard(nullptr, &std::fclose);
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

  CURLcode rc = curl_easy_perform(c);
  if (t.out) {
    if (std::fclose(t.out) != 0 && !t.write_errno) t.write_errno = errno;
    t.out = nullptr;
  }
  if (t.write_errno) {
    throw LocalError(ErrorKind::kLocalIo,
                     "cannot write " + req.download_file + ": " + std::strerror(t.write_errno));
  }
  if (rc != CURLE_OK) {
    throw NetworkError(std::string("network error on ") + req.method + " " + req.url + ": " +
                       curl_easy_strerror(rc));
  }
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  resp.status = static_cast<int>(code);
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

HttpResponse PerformWithRetry(const HttpRequest& req, RetryPolicy policy) {
  constexpr int kMaxRetries = 5;
  std::chrono::milliseconds wait(1000);
  for (int attempt = 0;; ++attempt) {
    bool last = policy == RetryPolicy::kNone || attempt >= kMaxRetries;
    try {
      HttpResponse r = Perform(req);
      if (last || !ShouldRetryStatus(r.status, policy)) return r;
      std::chrono::milliseconds delay = wait;
      if (std::string ra = r.Header("retry-after"); !ra.empty()) {
        char* end = nullptr;
        long s = std::strtol(ra.c_str(), &end, 10);
        if (end && *end == '\0' && s >= 0 && s <= 300) delay = std::chrono::seconds(s);
      }
      std::this_thread::sleep_for(delay);
    } catch (const NetworkError&) {
      if (last) throw;
      std::this_thread::sleep_for(wait);
    }
    wait = std::min(wait * 2, std::chrono::milliseconds(8000));
  }
}

}  // namespace spacehub::client::detail
