// SpaceProxy: how visitors reach Spaces. A request for `{ns}-{name}.{domain}` (any path), or for
// `/spaces/{ns}/{name}/app/...` on the hub's own host (installations without wildcard DNS; the app
// gets the prefix as X-Forwarded-Prefix), goes to that Space:
//   - missing, or private and the visitor may not read it -> 404, the same body either way, and
//     nothing is woken;
//   - every request counts as a visit (SpaceRuntimeHook::Visit: activity, and a wake from sleep);
//   - starting or waking -> the request is held (polling the engine every few ms) until the app
//     answers, then forwarded; a browser waiting longer than `browser_wait` gets a page that
//     reloads itself instead; PAUSED, failed or stopped -> 503 with the stage, no wake;
//   - a static Space -> its files, served by the hub; an app -> Forwarder (streams, websockets).
// Threading: one instance for the server's life, shared by every connection; the handlers run on
// the connections' strands. Thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "http/exchange.h"
#include "http/router.h"
#include "proxy/app_pool.h"
#include "proxy/forwarder.h"
#include "proxy/repo_cache.h"
#include "proxy/space_index.h"
#include "proxy/visitor_identity.h"
#include "service/hub.h"

namespace spacehub::proxy {

struct ProxyOptions {
  std::string host_domain = "localhost";
  std::string proto = "http";  // X-Forwarded-Proto (the scheme visitors use to reach the hub)
  ForwardLimits limits;
  std::chrono::milliseconds wake_timeout{std::chrono::minutes(5)};  // longest a request is held
  std::chrono::milliseconds browser_wait{std::chrono::seconds(1)};  // then the "waking" page
  std::chrono::milliseconds poll_interval{std::chrono::milliseconds(5)};
  size_t pool_idle_per_app = 64;
  std::chrono::seconds pool_idle_age{30};
  // Rebuilds of the Host index happen at most this often; a miss waits for the next one.
  std::chrono::milliseconds index_refresh{std::chrono::milliseconds(250)};
  // How long a Space's visibility is trusted without asking the database again.
  std::chrono::milliseconds repo_ttl{std::chrono::seconds(1)};
};

class SpaceProxy final {
 public:
  SpaceProxy(service::Hub& hub, ProxyOptions options, std::unique_ptr<VisitorIdentity> identity);
  ~SpaceProxy();
  SpaceProxy(const SpaceProxy&) = delete;
  SpaceProxy& operator=(const SpaceProxy&) = delete;

  // The Host front and the path routes, on the hub's router (before the API's routes).
  void Register(http::Router& router);
  // A router of its own port: every request is a visit by Host (others get 404).
  void RegisterOwnPort(http::Router& router);

 private:
  boost::asio::awaitable<bool> ServeByHost(http::Exchange& ex);
  boost::asio::awaitable<bool> ServeByPath(http::Exchange& ex);
  // `path` is the raw (percent-encoded) path the Space sees, `prefix` the path route's prefix.
  boost::asio::awaitable<bool> ServeSpace(http::Exchange& ex, const RepoId& id,
                                          const std::string& subdomain, std::string path,
                                          std::string prefix);
  boost::asio::awaitable<bool> ServeStatic(http::Exchange& ex, const std::filesystem::path& root,
                                           const std::string& head, const std::string& raw_path);

  service::Hub& hub_;
  const ProxyOptions options_;
  std::unique_ptr<VisitorIdentity> identity_;
  SpaceIndex index_;
  RepoCache repos_;
  AppPool pool_;
  Forwarder forwarder_;
};

}  // namespace spacehub::proxy
