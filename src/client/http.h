// The client's one HTTP transport over libcurl. Each thread owns one easy handle (thread_local),
// reset before every request and reused so its connection cache keeps connections to the hub
// alive; threads never share a handle (curl_global_init runs once, guarded by std::call_once).
// Not part of the public API. Perform() throws NetworkError (no answer) or LocalError (a body file
// could not be written); HTTP statuses, errors included, come back in HttpResponse.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "spacehub/types.h"

namespace spacehub::client::detail {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when non-empty (or when method is POST/PUT)
  // Instead of `body`: stream [upload_offset, upload_offset + upload_length) of this file.
  std::string upload_file;
  uint64_t upload_offset = 0;
  uint64_t upload_length = 0;
  // Instead of `body`: `upload_length` bytes produced by this source as libcurl asks for them. It
  // fills up to `capacity` bytes from offset `at` of the body and returns how many (0: it failed,
  // and the transfer aborts). A retry starts again from 0.
  std::function<size_t(char* buf, size_t capacity, uint64_t at)> body_source;
  // For 2xx answers, append the body to this file instead of HttpResponse::body. With
  // `restart_on_200`, a 200 (not 206) answer truncates the file first (the server ignored Range).
  std::string download_file;
  bool restart_on_200 = false;
  // For 2xx answers, hand the body to this sink as it arrives instead of keeping it; the sink
  // returns false to stop the transfer (Perform then returns normally with `stopped` set).
  std::function<bool(const char* data, size_t size)> on_data;
  // Use large socket/file buffers (for multi-MB bodies; small requests keep libcurl's defaults,
  // whose allocation per request is cheaper).
  bool large_buffers = false;
  bool follow_redirects = true;
  // When no byte arrives for this long (checked about once a second): after a 2xx answer began,
  // the transfer ends normally with HttpResponse::idled set (a log stream that went quiet);
  // before, it is a NetworkError. 0 = never.
  // (long: libcurl's option type.)
  long idle_timeout_seconds = 0;      // NOLINT(google-runtime-int)
  long timeout_seconds = 0;           // NOLINT(google-runtime-int) whole transfer; 0 = none
  long connect_timeout_seconds = 30;  // NOLINT(google-runtime-int)
  // Progress: reported as progress_base + bytes moved, of progress_total.
  const ProgressFn* progress = nullptr;
  std::string progress_label;
  uint64_t progress_base = 0;
  uint64_t progress_total = 0;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the final response's only
  std::string body;
  std::string url;       // the request URL (after redirects when followed)
  bool stopped = false;  // on_data asked to stop
  bool idled = false;    // ended by idle_timeout_seconds

  std::string Header(const std::string& lower_name) const;
};

// When a failed call is tried again (huggingface_hub's http_backoff, spec §0.2).
enum class RetryPolicy {
  kNone,      // plain API calls
  kAll,       // 408, 429, 500, 502, 503, 504 and network errors (preupload, LFS)
  kDownload,  // 408, 429 and network errors (file GETs)
};

// With SPACEHUB_CLIENT_DEBUG=1 in the environment, every request is logged on stderr.
HttpResponse Perform(const HttpRequest& request);
// Perform without the debug log.
HttpResponse PerformOnce(const HttpRequest& request);
// Up to 5 retries, 1 s doubling to 8 s, honouring the rate-limit headers and a numeric
// Retry-After (RetryDelay below).
HttpResponse PerformWithRetry(const HttpRequest& request, RetryPolicy policy);

bool ShouldRetryStatus(int status, RetryPolicy policy);
// How long to wait before retry number `retry` (0-based): 1 s doubling, capped at 8 s; a numeric
// Retry-After (seconds, at most 300) replaces it.
std::chrono::milliseconds RetryDelay(int retry, const std::string& retry_after);
// The wait before retrying `response`: for a 429 carrying `RateLimit: "…";r=…;t=<n>`, n + 1
// seconds (at most 300), as huggingface_hub 1.3.7's http_backoff waits; otherwise
// RetryDelay(retry, its Retry-After).
std::chrono::milliseconds RetryDelay(int retry, const HttpResponse& response);
// Scales every retry wait (tests set a small factor); 1.0 by default. Read from the environment
// variable SPACEHUB_CLIENT_RETRY_SCALE once.
double RetryScale();

}  // namespace spacehub::client::detail
