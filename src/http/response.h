// Response: what a handler returns. Four body kinds: an in-memory string, a file slice (sent with
// sendfile(2) from the fd, never copied through user space), a pull stream (chunked encoding), or a
// sized pull source (Content-Length; ranges like a file).
// The connection applies HEAD (headers only, same Content-Length) and, for responses marked
// `ranges_allowed`, the request's `Range` header (206 / 416) to string and file bodies alike.
// Owned by the connection after the handler returns; not shared between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace spacehub::http {

// An open file to send from `offset`, `length` bytes. The fd is closed by the destructor.
class FileBody final {
 public:
  FileBody(int fd, uint64_t offset, uint64_t length) : fd_(fd), offset_(offset), length_(length) {}
  ~FileBody();
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;
  // Opens `path` read-only and sends the whole file.
  static Result<std::unique_ptr<FileBody>> Open(const std::string& path);

  int fd() const { return fd_; }
  uint64_t offset() const { return offset_; }
  uint64_t length() const { return length_; }
  void Narrow(uint64_t offset, uint64_t length) {
    offset_ += offset;
    length_ = length;
  }

 private:
  int fd_;
  uint64_t offset_;
  uint64_t length_;
};

// A body produced piece by piece (git pack output, logs). Read is called on an I/O thread and may
// block briefly; it returns the number of bytes written to `buf`, 0 at the end, kNotYet when
// nothing is ready now but more will come (a followed log: the connection asks again after
// PollInterval without holding a thread, and ends the body when the server stops), or an error
// that aborts the response.
class BodySource {
 public:
  static constexpr size_t kNotYet = static_cast<size_t>(-1);
  virtual ~BodySource() = default;
  virtual Result<size_t> Read(char* buf, size_t capacity) = 0;
  virtual std::chrono::milliseconds PollInterval() const { return std::chrono::milliseconds(200); }
  // Long work the body reports on (a check that reads whole files), taken once before the head is
  // sent and run on the server's pool for slow work, never on an I/O thread; Read tells its
  // progress meanwhile. The work may outlive the source: whatever they share, they share by
  // shared_ptr, and the source's destructor tells the work that no one waits any more.
  virtual std::function<void()> TakeBackgroundWork() { return {}; }
};

// A body of known length produced piece by piece (a file rebuilt from stored parts). Unlike a
// BodySource it has a Content-Length, so the connection applies Range and HEAD to it as to a file:
// Narrow picks the window before the first Read. Read is called on an I/O thread and may block
// briefly (disk reads); it returns 0 only at the end of the window.
class SizedSource {
 public:
  virtual ~SizedSource() = default;
  // Bytes left in the window.
  virtual uint64_t Length() const = 0;
  // Keeps `length` bytes from `offset` of the current window.
  virtual void Narrow(uint64_t offset, uint64_t length) = 0;
  virtual Result<size_t> Read(char* buf, size_t capacity) = 0;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::unique_ptr<FileBody> file;      // when set, replaces `body`
  std::unique_ptr<BodySource> stream;  // when set, replaces `body` (chunked)
  std::unique_ptr<SizedSource> sized;  // when set, replaces `body` (Content-Length, ranges)
  bool ranges_allowed = false;         // honour Range on GET/HEAD for string and file bodies

  Response& Header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  std::string_view GetHeader(std::string_view name) const;

  static Response Json(const nlohmann::json& value, int status = 200);
  static Response Text(std::string text, int status = 200,
                       std::string content_type = "text/plain; charset=utf-8");
  // The one place a Status becomes HTTP: status code, X-Error-Code (reason), X-Error-Message,
  // the Status's extra headers, and a JSON body {"error": message, ...extra fields}.
  static Response Error(const Status& status);
};

int HttpStatusFor(Code code);

}  // namespace spacehub::http
