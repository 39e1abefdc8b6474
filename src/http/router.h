// Router: maps (method, path) to a handler. Built once at start-up, then read-only, so lookups are
// safe from every I/O thread without locks.
//
// Patterns are '/'-separated. A segment is a literal, `{name}` (exactly one non-empty segment,
// percent-decoded, so "refs%2Fpr%2F1" arrives as "refs/pr/1"), or a final `{name*}` (one or more
// segments, each decoded, joined with '/'). Routes are tried in registration order; the first match
// wins. A path that matches a pattern under another method gets 405.
//
// Bodies are judged from the head before any body byte is read (BodyRules): a buffered route takes
// a small body unless it says otherwise, and a route that needs a caller has the router's
// credential check run first, so that an anonymous or badly authenticated client is refused
// without the hub reading (or buffering) what it sends.
#pragma once

#include <functional>
#include <memory>
#include <optional>
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

// What a buffered route accepts as a request body.
struct BodyRules {
  // Up to ServerOptions::max_body_bytes (--max-body-mb: commits with inline files); otherwise up to
  // ServerOptions::max_small_body_bytes (JSON requests).
  bool large = false;
  // A body is taken from a caller without credentials: the handler decides who may do what (public
  // reads such as paths-info and LFS batch downloads, URLs signed by the hub). Otherwise a request
  // with a body must pass the router's credential check before the body is read.
  bool anonymous = false;
  // The handler may run long (a check that reads whole files back): it runs on the server's pool
  // for slow work instead of an I/O thread, so the connections on that thread are not held up.
  bool offload = false;

  // The default: GET and HEAD routes take (small) bodies from anyone; other methods only from an
  // authenticated caller.
  static BodyRules For(Method method) {
    return {.large = false, .anonymous = method == Method::kGet || method == Method::kHead};
  }
  static BodyRules Anonymous() { return {.large = false, .anonymous = true}; }
  static BodyRules Large() { return {.large = true, .anonymous = false}; }
  static BodyRules LargeOffloaded() { return {.large = true, .anonymous = false, .offload = true}; }
};

// Whether a request's credentials name a caller: Ok, or the error to answer with (a 401).
using CredentialCheck = std::function<Status(const Request&)>;

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

  // Buffered route: the whole body (up to the limit `rules` choose) is in Request::body.
  // `rules`: BodyRules::For(method) when not given.
  void Add(Method method, std::string_view pattern, Handler handler,
           std::optional<BodyRules> rules = std::nullopt);
  // Streaming route: the body goes to the sink returned by `handler`; no size limit but the sink's.
  void AddStreaming(Method method, std::string_view pattern, StreamHandler handler);

  // Exchange route, for every method: the handler owns the stream for the rest of the exchange.
  void AddExchange(std::string_view pattern, ExchangeHandler handler);
  // Consulted before every route with the parsed header (e.g. by Host): a request `claim` accepts
  // goes to `handler`. At most one front; set before serving.
  void SetFront(FrontClaim claim, ExchangeHandler handler);
  // Run, before the body is read, for a request with a body to a buffered route whose BodyRules
  // are not `anonymous`. Without one, such requests are not checked here (their handlers still
  // are). Set before serving.
  void SetCredentialCheck(CredentialCheck check);
  // Ok when no check is set.
  Status CheckCredentials(const Request& req) const;

  // Fills req.params on success. HEAD falls back to GET routes.
  Match Find(Request& req) const;

  static bool IsStreaming(const Route& route);
  static const BodyRules& Rules(const Route& route);
  static Response Invoke(const Route& route, Request& req);
  static Result<std::unique_ptr<BodySink>> InvokeStreaming(const Route& route, Request& req);

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  FrontClaim front_claim_;
  ExchangeHandler front_handler_;
  CredentialCheck credential_check_;
};

}  // namespace spacehub::http
