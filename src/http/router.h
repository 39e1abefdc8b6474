// Router: maps (method, path) to a handler. Built once at start-up, then read-only, so lookups are
// safe from every I/O thread without locks.
//
// Patterns are '/'-separated. A segment is a literal, `{name}` (exactly one non-empty segment,
// percent-decoded, so "refs%2Fpr%2F1" arrives as "refs/pr/1"), or a final `{name*}` (one or more
// segments, each decoded, joined with '/'). Routes are tried in registration order; the first match
// wins. A path that matches a pattern under another method gets 405.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/exchange.h"
#include "http/request.h"
#include "http/response.h"

namespace spacehub::http {

using Handler = std::function<Response(Request&)>;

// Receives a streamed request body chunk by chunk, on the connection's thread. If the body ends
// early (client gone, truncated, limit exceeded) the sink is destroyed without Finish(): it must
// then discard everything it wrote.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual Status Write(std::string_view chunk) = 0;
  // The body is complete; produce the response.
  virtual Response Finish() = 0;
};

// Called once the headers are in; may refuse (auth, bad parameters) before any body byte is read.
using StreamHandler = std::function<Result<std::unique_ptr<BodySink>>(Request&)>;

class Router final {
 public:
  struct Route;
  struct Match {
    const Route* route = nullptr;
    bool method_mismatch = false;               // path known under another method (405)
    const ExchangeHandler* exchange = nullptr;  // the front or an exchange route took it
  };

  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Buffered route: the whole body (up to the server's body limit) is in Request::body.
  void Add(Method method, std::string_view pattern, Handler handler);
  // Streaming route: the body goes to the sink returned by `handler`; no size limit but the sink's.
  void AddStreaming(Method method, std::string_view pattern, StreamHandler handler);

  // Exchange route, for every method: the handler owns the stream for the rest of the exchange.
  void AddExchange(std::string_view pattern, ExchangeHandler handler);
  // Consulted before every route with the parsed header (e.g. by Host): a request `claim` accepts
  // goes to `handler`. At most one front; set before serving.
  void SetFront(FrontClaim claim, ExchangeHandler handler);

  // Fills req.params on success. HEAD falls back to GET routes.
  Match Find(Request& req) const;

  static bool IsStreaming(const Route& route);
  static Response Invoke(const Route& route, Request& req);
  static Result<std::unique_ptr<BodySink>> InvokeStreaming(const Route& route, Request& req);

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  FrontClaim front_claim_;
  ExchangeHandler front_handler_;
};

}  // namespace spacehub::http
