#include "proxy/space_proxy.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include "auth/hub_credentials.h"
#include "auth/principal.h"
#include "core/log.h"
#include "proxy/app_link.h"
#include "proxy/pages.h"
#include "proxy/space_host.h"
#include "proxy/static_site.h"

namespace spacehub::proxy {
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using service::SpaceTarget;

namespace {

constexpr std::string_view kPathRoute = "/spaces/{ns}/{name}/app";
// The query parameter that carries a visit grant to a private Space's origin (the Hub's name).
constexpr std::string_view kVisitGrantParam = "__sign";

// The raw path after the first `segments` segments of `path` ("/a/b/c/d/rest" -> "/rest").
std::string_view PathAfterSegments(std::string_view path, int segments) {
  size_t pos = 0;
  for (int i = 0; i < segments; ++i) {
    pos = path.find('/', pos + 1);
    if (pos == std::string_view::npos) return {};
  }
  return path.substr(pos);
}

std::string QueryOf(const http::Request& req) {
  size_t q = req.target.find('?');
  return q == std::string::npos ? std::string() : req.target.substr(q);
}

// 503: nothing serves the Space and nothing is starting it (no wake: paused, failed or stopped).
http::Response NotRunningPage(const http::Request& req, const RepoId& id, wire::SpaceStage stage) {
  const std::string why = stage == wire::SpaceStage::kPaused
                              ? "The Space " + id.Full() + " is paused by its owner"
                              : "The Space " + id.Full() + " is not running (" +
                                    std::string(wire::SpaceStageName(stage)) + ")";
  return ErrorPage(req, Status::Unavailable(why).WithReason("SpaceNotRunning"));
}

}  // namespace

SpaceProxy::SpaceProxy(service::Hub& hub, service::SpaceDirectory& spaces, ProxyOptions options,
                       std::unique_ptr<VisitorIdentity> identity)
    : hub_(hub),
      spaces_(spaces),
      options_(std::move(options)),
      identity_(std::move(identity)),
      visits_(hub),
      index_(spaces, options_.index_refresh),
      repos_(spaces, options_.repo_ttl),
      pool_(
          [&hub](const std::string& key, int port) -> Result<int> {
            if (!hub.runtime) return Status::Unavailable("no Space runtime");
            return hub.runtime->OpenAppSocket(key, port);
          },
          options_.pool_idle_per_app, options_.pool_idle_age),
      forwarder_(pool_, options_.limits) {}

SpaceProxy::~SpaceProxy() = default;

void SpaceProxy::Register(http::Router& router) {
  const std::string domain = options_.host_domain;
  router.SetFront(
      [domain](const http::Request& req) {
        return SubdomainFromHost(req.Header("host"), domain).has_value();
      },
      [this](http::Exchange& ex) { return ServeByHost(ex); });
  const std::string base(kPathRoute);
  auto redirect = [this](http::Exchange& ex) { return RedirectToOrigin(ex); };
  router.AddExchange(base + "/{path*}", redirect);
  router.AddExchange(base + "/", redirect);
  router.AddExchange(base, redirect);
}

void SpaceProxy::RegisterOwnPort(http::Router& router) {
  router.SetFront([](const http::Request&) { return true; },
                  [this](http::Exchange& ex) { return ServeByHost(ex); });
}

net::awaitable<bool> SpaceProxy::ServeByHost(http::Exchange& ex) {
  http::Request& req = ex.request();
  std::optional<std::string> sub = SubdomainFromHost(req.Header("host"), options_.host_domain);
  std::optional<RepoId> id = sub ? index_.Find(*sub) : std::nullopt;
  if (sub && !id) {
    // Maybe created since the last rebuild: wait for the next one the rate limit allows.
    const auto delay = index_.RefreshDelay();
    if (delay.count() > 0) {
      net::steady_timer timer(ex.stream().get_executor(), delay);
      auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      if (ec) co_return false;
    }
    id = index_.Find(*sub);
  }
  if (!id) {
    http::Response answer = ErrorPage(req, Status::RepoNotFound());
    const bool more = co_await ex.Respond(std::move(answer));
    co_return more;
  }
  const bool more = co_await ServeSpace(ex, *id, *sub, req.path);
  co_return more;
}

net::awaitable<bool> SpaceProxy::RedirectToOrigin(http::Exchange& ex) {
  http::Request& req = ex.request();
  // Computed from the name alone: the same answer whether the Space exists, is private or sleeps.
  Result<RepoId> id = MakeRepoId(RepoType::kSpace, req.Param("ns"), req.Param("name"));
  http::Response r;
  if (id.ok()) {
    std::string_view rest = PathAfterSegments(req.path, 4);
    r = http::Response::Text("", 307);
    r.Header("Location", SpaceOrigin(hub_url_, SpaceSubdomain(*id), options_.host_domain) +
                             std::string(rest.empty() ? "/" : rest) + QueryOf(req));
  } else {
    r = ErrorPage(req, Status::RepoNotFound());
  }
  const bool more = co_await ex.Respond(std::move(r));
  co_return more;
}

net::awaitable<bool> SpaceProxy::ServeSpace(http::Exchange& ex, const RepoId& id,
                                            const std::string& subdomain, std::string path) {
  http::Request& req = ex.request();
  if (std::optional<http::Response> kept = KeepVisitGrant(req, id)) {
    const bool more = co_await ex.Respond(std::move(*kept));
    co_return more;
  }
  // Access first, so that a Space the visitor may not see is never woken. A private Space answers
  // exactly like a missing one.
  std::optional<service::SpaceListing> space = Admit(ex, id, subdomain);
  if (!space) {
    http::Response answer = ErrorPage(req, Status::RepoNotFound());
    const bool more = co_await ex.Respond(std::move(answer));
    co_return more;
  }
  if (!hub_.runtime) {
    http::Response answer = ErrorPage(
        req, Status::Unavailable("Spaces do not run on this hub (serve --space-runtime none)")
                 .WithReason("SpaceNotRunning"));
    const bool more = co_await ex.Respond(std::move(answer));
    co_return more;
  }
  // A visit: activity, and a wake when it sleeps. Held while it starts.
  SpaceTarget t = hub_.runtime->Visit(space->id);
  const std::optional<bool> held = co_await AwaitWake(ex, *space, t);
  if (held) co_return *held;
  switch (t.kind) {
    case SpaceTarget::Kind::kUnavailable: {
      http::Response answer = NotRunningPage(req, id, t.stage);
      const bool more = co_await ex.Respond(std::move(answer));
      co_return more;
    }
    case SpaceTarget::Kind::kStatic: {
      const bool more = co_await ServeStatic(ex, t.static_root, t.static_head, path);
      co_return more;
    }
    case SpaceTarget::Kind::kApp:
      break;
  }
  const bool more = co_await ServeApp(ex, *space, t, path);
  co_return more;
}

std::optional<http::Response> SpaceProxy::KeepVisitGrant(const http::Request& req,
                                                         const RepoId& id) {
  std::optional<std::string> grant = req.Query(kVisitGrantParam);
  if (!grant) return std::nullopt;
  // The same URL without the grant, so it is not left in the address bar, history or logs.
  std::string query;
  for (const auto& [k, v] : req.query) {
    if (k == kVisitGrantParam) continue;
    query += (query.empty() ? "?" : "&") + http::PercentEncode(k, false) + "=" +
             http::PercentEncode(v, false);
  }
  http::Response r = http::Response::Text("", 303);
  r.Header("Location", req.path + query);
  r.Header("Cache-Control", "no-store");
  Result<service::SpaceListing> space = repos_.Find(id);
  // Kept only when it is valid for this Space: an invalid one is dropped like any other garbage.
  if (space.ok() && space->is_private) {
    Result<service::Caller> who = visits_.Redeem(*grant, space->id);
    if (who.ok() && *who && spaces_.CanVisit(*who, *space)) {
      // The app runs in a frame of the hub's page, maybe another site: SameSite=None, which needs
      // Secure (browsers accept it on https and on localhost origins), and Partitioned (CHIPS):
      // kept for frames under the hub's page only, and accepted where third-party cookies are not.
      r.Header("Set-Cookie",
               std::string(auth::kSpaceVisitCookie) + "=" + *grant +
                   "; Path=/; HttpOnly; Secure; SameSite=None; Partitioned; Max-Age=" +
                   std::to_string(service::kSpaceVisitTtlMs / 1000));
    }
  }
  return r;
}

std::optional<service::SpaceListing> SpaceProxy::Admit(http::Exchange& ex, const RepoId& id,
                                                       const std::string& subdomain) {
  Result<service::SpaceListing> space = repos_.Find(id);
  if (!space.ok()) {
    if (!subdomain.empty()) index_.Forget(subdomain);
    return std::nullopt;
  }
  if (!space->is_private) return *space;
  Result<service::Caller> who = identity_->Identify(ex.request(), *space);
  if (!who.ok() || !spaces_.CanVisit(*who, *space)) return std::nullopt;
  // The hub token opened the door; it is the visitor's key to the whole hub, not the app's
  // (whatever its form: hub tokens are also stripped by PrepareAppRequest for every Space).
  if (identity_->UsesAuthorizationHeader()) {
    ex.parser().get().erase(boost::beast::http::field::authorization);
  }
  return *space;
}

net::awaitable<std::optional<bool>> SpaceProxy::AwaitWake(http::Exchange& ex,
                                                          const service::SpaceListing& space,
                                                          SpaceTarget& t) {
  if (t.kind != SpaceTarget::Kind::kUnavailable || !t.waking) co_return std::nullopt;
  const http::Request& req = ex.request();
  const std::string name = space.repo.Full();
  const auto start = Clock::now();
  net::steady_timer timer(ex.stream().get_executor());
  const bool browser = WantsHtml(req);
  while (t.kind == SpaceTarget::Kind::kUnavailable && t.waking) {
    const auto waited = Clock::now() - start;
    std::optional<http::Response> answer;
    if (browser && waited >= options_.browser_wait) {
      answer = WakingPage(req, name, wire::SpaceStageName(t.stage));
    } else if (waited >= options_.wake_timeout) {
      answer = ErrorPage(req, Status::Unavailable("The Space " + name + " did not start in time (" +
                                                  std::string(wire::SpaceStageName(t.stage)) + ")")
                                  .WithReason("SpaceWaking"));
    }
    if (answer) {
      const bool more = co_await ex.Respond(std::move(*answer));
      co_return more;
    }
    timer.expires_after(options_.poll_interval);
    auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    if (ec) co_return false;
    t = hub_.runtime->Target(space.id);
  }
  spdlog::info("proxy: {} ready after {} ms ({})", name,
               std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count(),
               wire::SpaceStageName(t.stage));
  co_return std::nullopt;
}

net::awaitable<bool> SpaceProxy::ServeApp(http::Exchange& ex, const service::SpaceListing& space,
                                          const SpaceTarget& t, const std::string& path) {
  const http::Request& req = ex.request();
  AppRoute route;
  route.instance_key = t.instance_key;
  route.port = t.port;
  route.target = path + QueryOf(req);
  route.forwarded.client_address = req.remote_address;
  route.forwarded.proto = options_.proto;
  route.forwarded.host = std::string(req.Header("host"));
  service::SpaceRuntimeHook* runtime = hub_.runtime;
  const std::function<void()> visit = [runtime, repo_id = space.id] { runtime->Visit(repo_id); };
  // Later plain requests of this connection to this public Space skip the general path.
  std::optional<Lane> lane;
  if (!space.is_private) lane = LaneFor(space.repo, route, t);
  const bool more = co_await forwarder_.Forward(ex, route, visit, lane ? &*lane : nullptr);
  co_return more;
}

Lane SpaceProxy::LaneFor(const RepoId& id, const AppRoute& route, const SpaceTarget& t) {
  Lane lane;
  lane.host = route.forwarded.host;
  lane.forwarded = route.forwarded;
  lane.limits = &forwarder_.limits();
  lane.check_interval = options_.repo_ttl;
  lane.check = [this, id, key = t.instance_key, port = t.port] {
    Result<service::SpaceListing> now = repos_.Find(id);
    if (!now.ok() || now->is_private) return false;
    SpaceTarget target = hub_.runtime->Visit(now->id);
    return target.kind == SpaceTarget::Kind::kApp && target.instance_key == key &&
           target.port == port;
  };
  return lane;
}

net::awaitable<bool> SpaceProxy::ServeStatic(http::Exchange& ex, const std::filesystem::path& root,
                                             const std::string& head, const std::string& raw_path) {
  http::Request& req = ex.request();
  if (req.method != http::Method::kGet && req.method != http::Method::kHead) {
    http::Response r = ErrorPage(req, Status::InvalidArgument("Method not allowed"), 405);
    r.Header("Allow", "GET, HEAD");
    const bool more = co_await ex.Respond(std::move(r));
    co_return more;
  }
  std::optional<std::string> path = http::PercentDecode(raw_path, false);
  // (Plain statements: g++ 12 mishandles temporaries of ?: inside co_await expressions.)
  http::Response answer;
  Result<std::filesystem::path> file = Status::EntryNotFound(raw_path);
  if (path) file = ResolveStaticFile(root, *path);
  if (file.ok()) {
    Result<http::Response> opened = StaticFileResponse(*file, head);
    if (opened.ok()) {
      answer = std::move(opened).value();
    } else {
      answer = ErrorPage(req, opened.status());
    }
  } else {
    answer = ErrorPage(req, file.status());
  }
  const bool more = co_await ex.Respond(std::move(answer));
  co_return more;
}

}  // namespace spacehub::proxy
