// Connection: one accepted TCP connection serving HTTP/1.1 requests one after another (keep-alive,
// no pipelining). Internal to the http layer.
//
// Threading: every operation of a connection runs on its own strand (the socket's executor), as one
// C++20 coroutine; handlers are called synchronously from that coroutine. OnServerStop() must be
// posted to the strand. The ConnectionHost outlives all its connections.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/body_budget.h"
#include "http/exchange.h"
#include "http/lazy_deadline.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "http/server.h"

namespace spacehub::http {

class Connection;

// What a connection needs from the server that owns it.
class ConnectionHost {
 public:
  virtual ~ConnectionHost() = default;
  virtual const ServerOptions& options() const = 0;
  virtual bool stopping() const = 0;
  virtual BodyBudget& body_budget() = 0;
  // The pool for slow work (ServerOptions::slow_threads), not an I/O thread.
  virtual boost::asio::any_io_executor slow_executor() = 0;
  enum class Admission { kAdmitted, kStopping, kBusy };
  // kStopping: the server is stopping (the connection must not start); kBusy: its client address
  // has max_connections_per_client open already (the connection answers 503 and closes).
  virtual Admission Register(const std::shared_ptr<Connection>& conn) = 0;
  // Every connection, admitted or not, from its destructor.
  virtual void Unregister(Connection* conn) = 0;
};

class Connection final : public std::enable_shared_from_this<Connection> {
 public:
  // `router` (the host's, or a listener's own) outlives the connection.
  Connection(boost::asio::ip::tcp::socket socket, ConnectionHost& host, const Router& router);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers with the host and spawns the serving coroutine on the socket's strand.
  static void Start(const std::shared_ptr<Connection>& conn);
  // Closes the connection if it is idle between requests; in-flight requests finish. On the strand.
  void OnServerStop();
  boost::asio::any_io_executor executor() { return stream_.get_executor(); }
  const std::string& remote_address() const { return remote_address_; }
  // The base URL of the listener that accepted it, when that listener has its own (set before
  // Start); copied into every Request::listener_url.
  void set_listener_url(std::shared_ptr<const std::string> url) { listener_url_ = std::move(url); }

 private:
  friend class Exchange;
  friend class RawExchange;
  struct Outcome {
    bool ok = false;  // the whole response went out
    int status = 0;
    uint64_t bytes = 0;  // body bytes sent
  };
  // The answer to a request served by a route (not an exchange).
  struct Reply {
    Response resp;
    bool close_after = false;  // request bytes remain unread: close (after lingering) when sent
  };

  boost::asio::awaitable<void> Serve();
  // A connection over its client's limit: 503, then close.
  boost::asio::awaitable<void> RefuseBusy();
  // Waits for the first byte of the next request (idle_timeout), then reads the rest of the head
  // into `hp` under one deadline (header_timeout).
  boost::asio::awaitable<boost::beast::error_code> ReadHead(Exchange::HeaderParser& hp);
  // The deadline of the next body read: the whole-body deadline for `received` bytes since
  // `body_start`, and at most kIoTimeout from now.
  std::chrono::steady_clock::time_point BodyReadDeadline(
      std::chrono::steady_clock::time_point body_start, uint64_t received) const;
  // Serves one request; returns whether the connection may serve another.
  boost::asio::awaitable<bool> ServeOne();
  // ServeOne's steps. nullopt from a step: the client went away, the connection just closes.
  // Answers a head that could not be read, when the client is still there to read the answer.
  boost::asio::awaitable<void> RejectHead(const boost::beast::error_code& ec);
  // A BodyRules::offload handler, run on the host's pool for slow work; this coroutine waits
  // for it without holding its I/O thread.
  boost::asio::awaitable<Response> InvokeOffloaded(const Router::Route& route, Request& req);
  // A buffered route: the body checked from the head (credentials, size, memory), read whole,
  // then the handler.
  boost::asio::awaitable<std::optional<Reply>> ServeBuffered(const Router::Route& route,
                                                             Request& req,
                                                             Exchange::HeaderParser& hp);
  // Reads the body into req.body. Ok, or why it was refused midway (413, memory full).
  boost::asio::awaitable<std::optional<Status>> ReadWholeBody(Request& req,
                                                              Exchange::HeaderParser& hp,
                                                              uint64_t limit,
                                                              BodyReservation& reservation);
  // A streaming route: its sink takes the body piece by piece as it arrives.
  boost::asio::awaitable<std::optional<Reply>> ServeStreaming(const Router::Route& route,
                                                              Request& req,
                                                              Exchange::HeaderParser& hp);
  // Hands the body to `sink` as it arrives, until it ends or the sink refuses it (`refused`).
  // False: the client went away.
  boost::asio::awaitable<bool> StreamBody(BodySink& sink, Request& req, Exchange::HeaderParser& hp,
                                          std::optional<Reply>& refused);
  // StreamBody for a body of `length` bytes: read from the socket straight into the piece handed
  // to the sink, without Beast's parser buffer in between.
  boost::asio::awaitable<bool> StreamSizedBody(BodySink& sink, Request& req, uint64_t length,
                                               std::optional<Reply>& refused);
  // Writes the reply and logs the request; whether the connection may serve another.
  boost::asio::awaitable<bool> Answer(const Request& req, Reply reply,
                                      std::chrono::steady_clock::time_point start);
  // Reads until a whole request header is buffered and offers it to state_ (ConnectionState::
  // ServeRaw). nullopt: declined (or too large: the general path answers it).
  boost::asio::awaitable<std::optional<bool>> ServeRaw();
  // Answers a request whose headers could not be read (431, 400).
  boost::asio::awaitable<void> RejectUnreadable(int http_status, Status status);
  boost::asio::awaitable<bool> WriteContinue();
  // Hands the request to an exchange handler (exceptions are caught and close the connection).
  boost::asio::awaitable<bool> ServeExchange(const ExchangeHandler& handler, Request& req,
                                             Exchange::HeaderParser& hp,
                                             std::chrono::steady_clock::time_point start);
  // Half-closes, then drains what the client still sends for a short while, so that the kernel does
  // not answer unread data with a reset that could destroy our error response.
  boost::asio::awaitable<void> LingeringClose();
  void LogAccess(const Request& req, const Outcome& out,
                 std::chrono::steady_clock::time_point start) const;
  // `raw`: served by a ConnectionState from the raw bytes (logged as raw=1).
  void LogAccess(std::string_view request_id, std::string_view method, std::string_view path,
                 const Outcome& out, std::chrono::steady_clock::time_point start,
                 bool raw = false) const;

  // Response writing (connection_write.cc).
  boost::asio::awaitable<Outcome> WriteResponse(const Request& req, Response resp, bool keep_alive);
  // A response header alone (a HEAD, a file or a stream follows it).
  boost::asio::awaitable<bool> WriteHeader(boost::beast::http::response_header<> header);
  boost::asio::awaitable<bool> SendFile(const FileBody& file, uint64_t& bytes);
  boost::asio::awaitable<bool> SendStream(BodySource& source, uint64_t& bytes);
  boost::asio::awaitable<bool> SendSized(SizedSource& source, uint64_t& bytes);
  boost::asio::awaitable<bool> WaitWritable();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  ConnectionHost& host_;
  const Router& router_;
  std::string remote_address_;
  std::shared_ptr<const std::string> listener_url_;
  std::unique_ptr<ConnectionState> state_;    // an exchange handler's, kept across requests
  std::optional<LazyDeadline> raw_deadline_;  // ServeRaw's idle wait (made on first use)
  bool idle_ = true;                          // waiting for the next request's headers
  bool linger_ = false;  // closing with unread request bytes: drain a little first
};

// Timeouts for one read or write operation once a request has started.
inline constexpr std::chrono::seconds kIoTimeout{60};

// The X-Request-Id we answer with: the client's X-Request-Id or X-Amzn-Trace-Id when it is a sane
// token (<= 64 chars of [A-Za-z0-9._-]), else a fresh random id.
std::string PickRequestId(const Request& req);

}  // namespace spacehub::http
