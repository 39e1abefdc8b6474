// Connection: writing one response. Applies Range (206/416) and HEAD, then sends the body as a
// string, a file via sendfile(2) (zero-copy, non-blocking socket + async_wait on EAGAIN), or a
// pull stream with chunked encoding. Threading: runs on the connection's strand.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <optional>
#include <vector>

#include "core/log.h"
#include "http/connection.h"
#include "http/guarded.h"
#include "http/range.h"

namespace spacehub::http {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr size_t kStreamBuffer = 64 * 1024;
constexpr size_t kSizedBuffer = 1024 * 1024;  // large writes: a rebuilt file streams at disk speed
constexpr size_t kMaxSendfileChunk = 1 << 30;

// Bodies at least this large are sent as bulk transfers (BulkSend), with this send buffer (the
// kernel doubles it, and caps it at net.core.wmem_max).
constexpr uint64_t kBulkBytes = 1 << 20;
constexpr int kBulkSendBuffer = 4 << 20;

// A file body on its way out: corked, so the header and the file leave in full segments (no
// partial segment at the end of each sendfile call under TCP_NODELAY); a send buffer larger than
// autotuning grows to, so each wake-up hands the kernel more and the sender and the client
// (sharing few cores) switch less often; and sequential readahead for a file not in the page
// cache. Uncorking at the end sends what is left at once.
class BulkSend {
 public:
  BulkSend(int socket, const FileBody& file) : socket_(socket) {
    if (file.length() < kBulkBytes) return;
    ::posix_fadvise(file.fd(), static_cast<off_t>(file.offset()), static_cast<off_t>(file.length()),
                    POSIX_FADV_SEQUENTIAL);
    ::setsockopt(socket_, SOL_SOCKET, SO_SNDBUF, &kBulkSendBuffer, sizeof(kBulkSendBuffer));
    SetCork(true);
  }
  ~BulkSend() {
    if (corked_) SetCork(false);
  }
  BulkSend(const BulkSend&) = delete;
  BulkSend& operator=(const BulkSend&) = delete;

 private:
  void SetCork(bool on) {
    int v = on ? 1 : 0;
    corked_ = ::setsockopt(socket_, IPPROTO_TCP, TCP_CORK, &v, sizeof(v)) == 0 && on;
  }
  int socket_;
  bool corked_ = false;
};

bool IsManagedHeader(std::string_view name) {
  static constexpr std::string_view kManaged[] = {"content-length", "transfer-encoding",
                                                  "connection", "server", "x-request-id"};
  return std::any_of(std::begin(kManaged), std::end(kManaged), [&](std::string_view m) {
    return m.size() == name.size() && ::strncasecmp(m.data(), name.data(), m.size()) == 0;
  });
}

std::string StripCrLf(std::string_view v) {
  std::string out(v);
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  }
  return out;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && s.size() <= 19 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool StatusHasNoBody(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

// Narrows a 200 response to the request's Range, or replaces it with a 416.
void ApplyRange(const Request& req, Response& resp) {
  if (resp.stream || resp.status != 200) return;
  if (req.method != Method::kGet && req.method != Method::kHead) return;
  std::string_view header = req.Header("range");
  if (header.empty()) return;
  const uint64_t total = resp.file    ? resp.file->length()
                         : resp.sized ? resp.sized->Length()
                                      : resp.body.size();
  ByteRange range = ParseRange(header, total);
  if (range.kind == ByteRange::Kind::kSatisfiable) {
    resp.status = 206;
    resp.Header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                     std::to_string(range.first + range.length - 1) + "/" +
                                     std::to_string(total));
    if (resp.file) {
      resp.file->Narrow(range.first, range.length);
    } else if (resp.sized) {
      resp.sized->Narrow(range.first, range.length);
    } else {
      resp.body = resp.body.substr(range.first, range.length);
    }
  } else if (range.kind == ByteRange::Kind::kUnsatisfiable) {
    Response err = Response::Error(Status::RangeNotSatisfiable("Requested range not satisfiable"));
    err.ranges_allowed = true;
    err.Header("Content-Range", "bytes */" + std::to_string(total));
    resp = std::move(err);
  }
}

// The response header: the handler's headers (never the ones the connection manages, never a
// CR/LF smuggled in), then the connection's own.
bhttp::response_header<> BuildHeader(const Request& req, const Response& resp, bool keep_alive) {
  bhttp::response_header<> h;
  h.version(11);
  h.result(static_cast<unsigned>(resp.status));
  for (const auto& [name, value] : resp.headers) {
    if (!IsManagedHeader(name)) h.insert(StripCrLf(name), StripCrLf(value));
  }
  if (resp.ranges_allowed) h.set(bhttp::field::accept_ranges, "bytes");
  h.set(bhttp::field::server, "spacehub");
  h.set("X-Request-Id", req.request_id);
  if (!keep_alive) h.set(bhttp::field::connection, "close");
  return h;
}

// The Content-Length of a sized response. An explicit HEAD handler may announce the length of a
// body it does not produce.
std::string ContentLength(const Request& req, const Response& resp, uint64_t length) {
  std::string_view announced = resp.GetHeader("content-length");
  const bool keep_announced = req.method == Method::kHead && !resp.file && !resp.sized &&
                              resp.body.empty() && IsDigits(announced);
  return keep_announced ? std::string(announced) : std::to_string(length);
}

}  // namespace

net::awaitable<Connection::Outcome> Connection::WriteResponse(const Request& req, Response resp,
                                                              bool keep_alive) {
  if (resp.ranges_allowed) ApplyRange(req, resp);
  Outcome out;
  out.status = resp.status;
  const bool head = req.method == Method::kHead;
  const bool no_body = StatusHasNoBody(resp.status);
  bhttp::response_header<> h = BuildHeader(req, resp, keep_alive);
  if (resp.stream && !no_body) {
    // Started before the head goes out; a HEAD request never reads the body, so never starts it.
    if (!head) {
      if (auto work = resp.stream->TakeBackgroundWork()) {
        // A throw must not end the pool's thread: it is logged, and the body reports what it has.
        net::post(host_.slow_executor(), [work = std::move(work), rid = req.request_id] {
          (void)Guarded("background work", rid, [&] {
            work();
            return Status::Ok();
          });
        });
      }
    }
    h.set(bhttp::field::transfer_encoding, "chunked");
    out.ok = co_await WriteHeader(std::move(h));
    if (out.ok && !head) out.ok = co_await SendStream(*resp.stream, out.bytes);
    co_return out;
  }
  const uint64_t length = resp.file    ? resp.file->length()
                          : resp.sized ? resp.sized->Length()
                                       : resp.body.size();
  if (!no_body) h.set(bhttp::field::content_length, ContentLength(req, resp, length));
  if (resp.sized) {
    out.ok = co_await WriteHeader(std::move(h));
    if (out.ok && !head && !no_body) out.ok = co_await SendSized(*resp.sized, out.bytes);
    co_return out;
  }
  if (!head && !no_body && !resp.file) {
    bhttp::response<bhttp::string_body> m(std::move(h), std::move(resp.body));
    stream_.expires_after(kIoTimeout);
    auto [ec, n] = co_await bhttp::async_write(stream_, m, kTuple);
    out.ok = !ec;
    if (out.ok) out.bytes = length;
    co_return out;
  }
  const bool send_file = !head && !no_body;
  std::optional<BulkSend> bulk;
  if (send_file) bulk.emplace(stream_.socket().native_handle(), *resp.file);
  out.ok = co_await WriteHeader(std::move(h));
  if (out.ok && send_file) out.ok = co_await SendFile(*resp.file, out.bytes);
  co_return out;
}

net::awaitable<bool> Connection::WriteHeader(bhttp::response_header<> header) {
  bhttp::response<bhttp::empty_body> m(std::move(header));
  bhttp::response_serializer<bhttp::empty_body> sr(m);
  stream_.expires_after(kIoTimeout);
  auto [ec, n] = co_await bhttp::async_write_header(stream_, sr, kTuple);
  co_return !ec;
}

net::awaitable<bool> Connection::SendFile(const FileBody& file, uint64_t& bytes) {
  auto& socket = stream_.socket();
  beast::error_code ec;
  socket.native_non_blocking(true, ec);
  if (ec) co_return false;
  off_t offset = static_cast<off_t>(file.offset());
  uint64_t remaining = file.length();
  while (remaining > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, kMaxSendfileChunk));
    ssize_t n = ::sendfile(socket.native_handle(), file.fd(), &offset, want);
    if (n > 0) {
      remaining -= static_cast<uint64_t>(n);
      bytes += static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) {
      spdlog::warn("sendfile: file shorter than announced, closing connection");
      co_return false;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) co_return false;
    const bool writable = co_await WaitWritable();
    if (!writable) co_return false;
  }
  co_return true;
}

net::awaitable<bool> Connection::WaitWritable() {
  net::steady_timer timer(stream_.get_executor());
  timer.expires_after(kIoTimeout);
  timer.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) {
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    }
  });
  auto [ec] = co_await stream_.socket().async_wait(net::socket_base::wait_write, kTuple);
  timer.cancel();
  co_return !ec;
}

net::awaitable<bool> Connection::SendStream(BodySource& source, uint64_t& bytes) {
  std::vector<char> buf(kStreamBuffer);
  while (true) {
    Result<size_t> r =
        Guarded("body source", "", [&] { return source.Read(buf.data(), buf.size()); });
    if (!r.ok()) {
      spdlog::warn("stream body aborted: {}", r.status().ToString());
      co_return false;  // no last chunk: the client sees a truncated body
    }
    if (*r == 0) break;
    if (*r == BodySource::kNotYet) {
      if (host_.stopping()) break;  // a followed stream ends cleanly when the hub stops
      net::steady_timer wait(stream_.get_executor(), source.PollInterval());
      co_await wait.async_wait(kTuple);
      continue;
    }
    stream_.expires_after(kIoTimeout);
    auto [ec, n] = co_await net::async_write(
        stream_, bhttp::make_chunk(net::buffer(buf.data(), std::min(*r, buf.size()))), kTuple);
    if (ec) co_return false;
    bytes += *r;
  }
  stream_.expires_after(kIoTimeout);
  auto [ec, n] = co_await net::async_write(stream_, bhttp::make_chunk_last(), kTuple);
  co_return !ec;
}

net::awaitable<bool> Connection::SendSized(SizedSource& source, uint64_t& bytes) {
  std::vector<char> buf(kSizedBuffer);
  uint64_t remaining = source.Length();
  while (remaining > 0) {
    Result<size_t> r =
        Guarded("sized body", "", [&] { return source.Read(buf.data(), buf.size()); });
    if (!r.ok() || *r == 0 || *r > remaining) {
      // The length is already announced: closing is the only way to tell the client.
      spdlog::warn("sized body ended early: {}", r.ok() ? "short" : r.status().ToString());
      co_return false;
    }
    stream_.expires_after(kIoTimeout);
    auto [ec, n] = co_await net::async_write(stream_, net::buffer(buf.data(), *r), kTuple);
    if (ec) co_return false;
    bytes += *r;
    remaining -= *r;
  }
  co_return true;
}

}  // namespace spacehub::http
