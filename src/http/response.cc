// Response constructors, FileBody ownership, and the one Status -> HTTP error mapping.
// Stateless helpers; safe from any thread.
#include "http/response.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace spacehub::http {
namespace {

constexpr size_t kMaxErrorMessageHeader = 1000;

// Header values must not carry CR/LF (response splitting) or other control characters.
std::string SanitizeHeaderValue(std::string_view in) {
  std::string out;
  out.reserve(std::min(in.size(), kMaxErrorMessageHeader));
  for (char c : in) {
    if (out.size() >= kMaxErrorMessageHeader) break;
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return out;
}

}  // namespace

FileBody::~FileBody() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<FileBody>> FileBody::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return Status::NotFound("file not found");
    return Status::Internal(std::string("cannot open file: ") + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Internal("not a regular file");
  }
  return std::make_unique<FileBody>(fd, 0, static_cast<uint64_t>(st.st_size));
}

std::string_view Response::GetHeader(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return {};
}

Response Response::Json(const nlohmann::json& value, int status) {
  Response r;
  r.status = status;
  r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.Header("Content-Type", "application/json");
  return r;
}

Response Response::Text(std::string text, int status, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(text);
  r.Header("Content-Type", std::move(content_type));
  return r;
}

Response Response::Error(const Status& status) {
  nlohmann::json body = nlohmann::json::object();
  body["error"] = status.message();
  for (const auto& [k, v] : status.fields()) body[k] = v;
  Response r = Json(body, HttpStatusFor(status.code()));
  if (!status.reason().empty()) r.Header("X-Error-Code", SanitizeHeaderValue(status.reason()));
  r.Header("X-Error-Message", SanitizeHeaderValue(status.message()));
  // Status details are transport-neutral; this is where they become HTTP headers.
  if (!status.resolved_commit().empty()) {
    r.Header("X-Repo-Commit", SanitizeHeaderValue(status.resolved_commit()));
  }
  if (status.retry_after_seconds()) {
    r.Header("Retry-After", std::to_string(*status.retry_after_seconds()));
  }
  if (status.wants_credentials()) r.Header("WWW-Authenticate", "Basic realm=\"spacehub\"");
  return r;
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kConflict:
      return 409;
    case Code::kPayloadTooLarge:
      return 413;
    case Code::kRangeNotSatisfiable:
      return 416;
    case Code::kResourceExhausted:
      return 429;
    case Code::kUnavailable:
      return 503;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace spacehub::http
