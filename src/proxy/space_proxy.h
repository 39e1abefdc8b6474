// SpaceProxy: how visitors reach Spaces. A Space is served only on its own origin,
// `{ns}-{name}.{domain}` (any path; on the hub's port or the proxy's own), never on the hub's: an
// app is code the hub does not trust, and on the hub's origin it could register a service worker
// for `/` or read and set the hub's cookies. `/spaces/{ns}/{name}/app/...` on the hub's origin only
// redirects (307, query kept) to the same path on the Space's origin, without looking the Space up
// (so it tells nothing about private Spaces and wakes nothing). A request by Host goes to the
// Space:
//   - missing, or private and the visitor may not read it -> 404, the same body either way, and
//     nothing is woken;
//   - every request counts as a visit (SpaceRuntimeHook::Visit: activity, and a wake from sleep);
//   - starting or waking -> the request is held (polling the engine every few ms) until the app
//     answers, then forwarded; a browser waiting longer than `browser_wait` gets a page that
//     reloads itself instead; PAUSED, failed or stopped -> 503 with the stage, no wake;
//   - a static Space -> its files, served by the hub; an app -> Forwarder (streams, websockets),
//     which never passes the visitor's hub credentials on (forward_headers.h).
// Threading: one instance for the server's life, shared by every connection; the handlers run on
// the connections' strands. Thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http/exchange.h"
#include "http/router.h"
#include "proxy/app_link.h"
#include "proxy/app_pool.h"
#include "proxy/forwarder.h"
#include "proxy/repo_cache.h"
#include "proxy/space_index.h"
#include "proxy/visitor_identity.h"
#include "service/hub.h"
#include "service/space_directory.h"
#include "service/space_visits.h"

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
  // `hub` gives the Space runtime (hub.runtime); `spaces` everything the proxy reads about Spaces
  // (it never reads the database itself). Both outlive the proxy.
  SpaceProxy(service::Hub& hub, service::SpaceDirectory& spaces, ProxyOptions options,
             std::unique_ptr<VisitorIdentity> identity);
  ~SpaceProxy();
  SpaceProxy(const SpaceProxy&) = delete;
  SpaceProxy& operator=(const SpaceProxy&) = delete;

  // The Host front and the path route's redirect, on the hub's router (before the API's routes).
  void Register(http::Router& router);
  // A router of its own port: every request is a visit by Host (others get 404).
  void RegisterOwnPort(http::Router& router);
  // The hub's public URL (api/public_url.h), whose scheme and port the path route's redirects use.
  // Once, before the server runs (the listening port may be known only then).
  void SetHubUrl(std::string url) { hub_url_ = std::move(url); }

 private:
  boost::asio::awaitable<bool> ServeByHost(http::Exchange& ex);
  boost::asio::awaitable<bool> RedirectToOrigin(http::Exchange& ex);
  // `path` is the raw (percent-encoded) path the Space sees.
  boost::asio::awaitable<bool> ServeSpace(http::Exchange& ex, const RepoId& id,
                                          const std::string& subdomain, std::string path);
  // The Space when the visitor may see it (then the visitor's hub credentials are taken out of
  // the request); nullopt for a missing Space and for one it may not see alike.
  // A request that brings a visit grant (`?__sign=`, from the hub's Space page) is answered with a
  // redirect to the same URL without it, keeping a valid grant as a cookie on this origin.
  std::optional<http::Response> KeepVisitGrant(const http::Request& req, const RepoId& id);
  std::optional<service::SpaceListing> Admit(http::Exchange& ex, const RepoId& id,
                                             const std::string& subdomain);
  // Holds the request while the Space wakes (`t` follows the runtime). nullopt: go on with `t`;
  // otherwise the exchange was answered (waking page, timeout) or cut, and whether the connection
  // may serve another request.
  boost::asio::awaitable<std::optional<bool>> AwaitWake(http::Exchange& ex,
                                                        const service::SpaceListing& space,
                                                        service::SpaceTarget& t);
  boost::asio::awaitable<bool> ServeApp(http::Exchange& ex, const service::SpaceListing& space,
                                        const service::SpaceTarget& t, const std::string& path);
  // The fast lane for a public Space's app (app_link.h).
  Lane LaneFor(const RepoId& id, const AppRoute& route, const service::SpaceTarget& t);
  boost::asio::awaitable<bool> ServeStatic(http::Exchange& ex, const std::filesystem::path& root,
                                           const std::string& head, const std::string& raw_path);

  service::Hub& hub_;
  service::SpaceDirectory& spaces_;
  const ProxyOptions options_;
  std::string hub_url_;  // set before serving, read-only afterwards
  std::unique_ptr<VisitorIdentity> identity_;
  service::SpaceVisits visits_;
  SpaceIndex index_;
  RepoCache repos_;
  AppPool pool_;
  Forwarder forwarder_;
};

}  // namespace spacehub::proxy
