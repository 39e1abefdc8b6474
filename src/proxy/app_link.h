// AppLink: what a visitor's connection keeps between its requests to Spaces.
//   - The app connection it used last: the next request to that app reuses it without a trip
//     through the pool (no lock, no re-registration with the reactor). Given back to the pool when
//     the visitor leaves or moves to another app.
//   - The relay buffer of the general path (forwarder.cc).
//   - The lane: once a request to a public Space went through whole, the connection's next
//     requests to the same Host that are plain (GET, HEAD or OPTIONS, no body, no upgrade,
//     HTTP/1.1) are relayed straight from the connection's bytes (ServeRaw, fast_lane.cc): Beast's
//     parser reads each head in place, the rewritten head (hub credentials out, as on the general
//     path) goes out in one write, the response is relayed as it came. Everything else (another
//     Host, a body, a websocket, a fault before the app answered) is declined and takes the
//     general path, which also re-checks access, wakes and retries. The
//     lane re-checks the Space (still public, same running instance; a visit for its sleep timer)
//     every `check_interval`.
// Threading: lives on one visitor connection's strand (http::ConnectionState).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "http/exchange.h"
#include "http/lazy_deadline.h"
#include "proxy/app_pool.h"
#include "proxy/forward_headers.h"
#include "proxy/forwarder.h"
#include "proxy/raw_head.h"

namespace spacehub::proxy {

struct Lane {
  std::string host;  // the Host header value the lane serves, byte for byte
  ForwardedFor forwarded;
  const ForwardLimits* limits = nullptr;  // the Forwarder's; outlives every connection
  // Visits the Space and tells whether the lane still holds: the Space exists, is public and runs
  // the instance the kept connection leads to.
  std::function<bool()> check;
  std::chrono::milliseconds check_interval{std::chrono::seconds(1)};
  std::chrono::steady_clock::time_point checked;
};

class AppLink final : public http::ConnectionState {
 public:
  explicit AppLink(AppPool& pool);
  ~AppLink() override;
  AppLink(const AppLink&) = delete;
  AppLink& operator=(const AppLink&) = delete;

  // Moves the kept stream into `out` when it leads to (key, port); forgets it otherwise.
  void TakeInto(const std::string& key, int port, std::optional<boost::beast::tcp_stream>& out);
  // Keeps `stream` for the next request; ends the lane (the caller arms it again when it holds).
  void Keep(const std::string& key, int port, boost::beast::tcp_stream&& stream);
  // The relay buffer, reused by every request of this visitor's connection (not zero-filled:
  // that, or a fresh 64 KiB allocation per request, costs more than a small request itself).
  boost::asio::mutable_buffer buffer();

  // Starts (or renews) the lane for the connection kept by the last Keep().
  void ArmLane(Lane lane);

  bool WantsRaw() const override { return lane_.has_value() && stream_.has_value(); }
  boost::asio::awaitable<std::optional<bool>> ServeRaw(http::RawExchange& rx) override;

 private:
  // ServeRaw's steps (fast_lane.cc).
  struct RawCall;
  struct Relayed;
  using Served = std::optional<bool>;  // ServeRaw's answer: nullopt declines
  bool Accepts(RawCall& call);
  boost::asio::awaitable<bool> SendRequestHead(RawCall& call);
  boost::asio::awaitable<std::variant<size_t, Served>> ReadResponseHead(
      RawCall& call, std::optional<RawResponseParser>& res);
  boost::asio::awaitable<Relayed> RelayResponse(RawCall& call, RawResponseParser& res,
                                                size_t head_used, bool close_delimited, bool keep);
  // Answers the visitor with an error page; the kept app connection is dropped.
  boost::asio::awaitable<Served> Fail(RawCall& call, Status status, int code);
  // One read of the app's answer into app_buffer_, within `timeout` (beast::error::timeout).
  boost::asio::awaitable<boost::beast::error_code> ReadFromApp(std::chrono::milliseconds timeout);
  // The lane's visit while a long response streams; false when the lane no longer holds.
  bool VisitWhileStreaming();

  void GiveBack();
  // Closes the kept app connection (it cannot carry another exchange).
  void Drop();

  AppPool& pool_;
  std::string key_;
  int port_ = 0;
  std::optional<boost::beast::tcp_stream> stream_;
  std::unique_ptr<char[]> buffer_;
  std::optional<Lane> lane_;
  // The lane's per-request scratch, kept for its capacity.
  RawHead request_head_;
  RawHead response_head_;
  std::string out_;
  boost::beast::flat_buffer app_buffer_;
  std::optional<http::LazyDeadline> deadline_;  // the app's answers (made on first use)
};

}  // namespace spacehub::proxy
