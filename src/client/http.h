// The client's one HTTP transport: a libcurl easy handle per call, so calls from different threads
// never share state (curl_global_init runs once, guarded by std::call_once).
// Not part of the public API. Perform() throws NetworkError (no answer) or LocalError (a body file
// could not be written); HTTP statuses, errors included, come back in HttpResponse.
#pragma once

#include <cstdint>
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
  // For 2xx answers, append the body to this file instead of HttpResponse::body. With
  // `restart_on_200`, a 200 (not 206) answer truncates the file first (the server ignored Range).
  std::string download_file;
  bool restart_on_200 = false;
  bool follow_redirects = true;
  long timeout_seconds = 0;  // whole transfer; 0 = none
  long connect_timeout_seconds = 30;
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
  std::string url;  // the request URL (after redirects when followed)

  std::string Header(const std::string& lower_name) const;
};

// When a failed call is tried again (huggingface_hub's http_backoff, spec §0.2).
enum class RetryPolicy {
  kNone,      // plain API calls
  kAll,       // 408, 429, 500, 502, 503, 504 and network errors (preupload, LFS)
  kDownload,  // 408, 429 and network errors (file GETs)
};

HttpResponse Perform(const HttpRequest& request);
// Up to 5 retries, 1 s doubling to 8 s, honouring a numeric Retry-After on 429/503.
HttpResponse PerformWithRetry(const HttpRequest& request, RetryPolicy policy);

bool ShouldRetryStatus(int status, RetryPolicy policy);

}  // namespace spacehub::client::detail
