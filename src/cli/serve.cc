// `spacehub serve`: opens the data directory, creates the administrator on first start, and runs
// the HTTP server until SIGTERM or SIGINT (graceful: in-flight requests finish).
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "api/public_url.h"
#include "api/routes.h"
#include "auth/sessions.h"
#include "cli/commands.h"
#include "cli/serve_options.h"
#include "cli/serve_runtime.h"
#include "core/log.h"
#include "core/thread_name.h"
#include "http/server.h"
#include "proxy/space_host.h"
#include "proxy/space_proxy.h"
#include "service/hub_instance.h"
#include "service/placement.h"
#include "service/space_engine.h"
#include "service/xet_sweeper.h"
#include "web/routes.h"

namespace spacehub::cli {
namespace {

proxy::ProxyOptions ProxyOptionsFrom(const ServeOptions& o) {
  proxy::ProxyOptions po;
  po.host_domain = o.space_host_domain.empty() ? "localhost" : o.space_host_domain;
  po.proto = o.space_proxy_proto;
  po.limits.read_timeout = std::chrono::seconds(o.space_proxy_read_timeout);
  po.limits.tunnel_idle_timeout = std::chrono::seconds(o.space_proxy_tunnel_idle_timeout);
  po.limits.max_body_bytes = o.space_proxy_max_body_mb * 1024 * 1024;
  po.wake_timeout = std::chrono::seconds(o.space_proxy_wake_timeout);
  po.pool_idle_age = std::chrono::seconds(o.space_proxy_app_idle_seconds);
  return po;
}

service::HubOptions HubOptionsFrom(const ServeOptions& o) {
  service::HubOptions h;
  h.multipart_threshold_bytes = o.lfs_multipart_threshold_mb * 1024 * 1024;
  h.multipart_chunk_bytes = std::max<uint64_t>(1, o.lfs_chunk_mb) * 1024 * 1024;
  h.space_min_sleep_seconds = o.space_min_sleep_seconds;
  h.xet_shard_checks_per_user = o.xet_shard_checks_per_user;
  h.xet_shard_checks = std::max(o.xet_shard_checks, o.xet_shard_checks_per_user);
  h.detected_gpus = service::DetectGpus();
  auto signup = auth::ParseSignupPolicy(o.signup);  // the flag's check allows only valid names
  if (signup.ok()) h.signup = *signup;
  return h;
}

http::ServerOptions ServerOptionsFrom(const ServeOptions& o) {
  http::ServerOptions so;
  so.host = o.host;
  so.port = o.port;
  so.threads = o.threads;
  so.context_per_thread = o.io_context_per_thread;
  so.max_body_bytes = o.max_body_mb * 1024 * 1024;
  so.max_small_body_bytes = o.max_json_body_mb * 1024 * 1024;
  // Never below the largest single body, which could otherwise never be received.
  so.body_memory_bytes = std::max(o.body_memory_mb, o.max_body_mb) * 1024 * 1024;
  so.header_timeout = std::chrono::seconds(o.header_timeout);
  so.body_timeout = std::chrono::seconds(o.body_timeout);
  so.body_min_rate = o.body_min_rate_kb * 1024;
  so.max_connections_per_client = o.max_connections_per_client;
  return so;
}

int Fail(const Status& st) {
  std::fprintf(stderr, "spacehub: %s\n", st.ToString().c_str());
  return 1;
}

// Signals are taken by one waiting thread (RunUntilSignal), so every other thread (the log flusher
// included, so this comes first) runs with them blocked.
sigset_t BlockSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return signals;
}

// The hooks git runs on push call this same binary.
Result<service::GitHttpOptions> PrepareGit(const ServeOptions& o) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return Status::Internal("cannot prepare git hooks: " + ec.message());
  auto git = service::PrepareGitHttp(o.data_dir, self);
  if (!git.ok()) return Status(git.status()).Annotate("cannot prepare git hooks");
  return *git;
}

// The hub's own port, and the proxy's when it has one.
Status Listen(const ServeOptions& o, http::Server& server, http::Router& proxy_router) {
  SH_TRY(server.Listen());
  if (o.space_proxy_port == 0) return Status::Ok();
  Result<int> fd = http::Server::OpenListeningSocket(o.host, o.space_proxy_port);
  Result<int> id = fd.ok() ? server.AddListener(*fd, &proxy_router) : fd;
  if (!id.ok()) return Status(id.status()).Annotate("Space proxy port");
  spdlog::info("space proxy listening host={} port={}", o.host, o.space_proxy_port);
  return Status::Ok();
}

// Every absolute URL the hub hands out starts here, never at a request's Host.
std::string PublicEndpoint(const ServeOptions& o, const http::Server& server) {
  std::string endpoint = api::PublicUrlFor(o.public_url, o.host, server.port());
  if (o.public_url.empty() && (o.host == "0.0.0.0" || o.host == "::" || o.host.empty())) {
    spdlog::warn(
        "listening on every interface without --public-url: the URLs the hub hands out (LFS "
        "uploads and downloads, pagination) point at {}; set --public-url to the address clients "
        "use",
        endpoint);
  }
  return endpoint;
}

// What the quick start reads: the endpoint, and the administrator's token and password the first
// time.
void Announce(const ServeOptions& o, const http::Server& server, const std::string& endpoint,
              const std::optional<service::BootstrapCredentials>& admin) {
  std::printf("spacehub listening on http://%s:%u (data: %s)\n", o.host.c_str(), server.port(),
              o.data_dir.c_str());
  std::printf("HF_ENDPOINT=%s\n", endpoint.c_str());
  if (admin) {
    std::printf("HF_TOKEN=%s\n", admin->token.c_str());
    std::printf("ADMIN_PASSWORD=%s\n", admin->password.c_str());
    std::printf(
        "# administrator 'admin' created; the token and the web password above are shown only "
        "once\n");
  }
  std::fflush(stdout);
}

// Spaces and jobs reach this hub's API at HF_ENDPOINT from inside their own network (no relay).
service::SpaceEngine::HubInside HubInside(http::Server& server) {
  service::SpaceEngine::HubInside inside;
  inside.port = server.port();
  inside.add = [&server](int fd) {
    return server.AddListener(fd, nullptr, /*urls_from_listener=*/true);
  };
  inside.remove = [&server](int id) { server.RemoveListener(id); };
  return inside;
}

void StartEngines(SpaceRuntime& rt, http::Server& server) {
  if (rt.engine) {
    rt.engine->ServeHubInside(HubInside(server));
    rt.engine->Start();
    spdlog::info("space runtime: local (bubblewrap), Docker Spaces {}",
                 !rt.have_podman ? "unavailable (no podman)" : "with podman");
  }
  if (rt.jobs) {
    rt.jobs->ServeHubInside(HubInside(server));
    rt.jobs->Start();
  }
}

void RunUntilSignal(http::Server& server, const sigset_t& signals) {
  std::thread waiter([&server, signals] {
    NameThisThread("signals");
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("signal {} received: shutting down", sig);
    server.Stop();
  });
  server.Run();
  // Run() also returns if the server stops for another reason: wake the waiter so it can exit.
  // SIGTERM is blocked in every thread (BlockSignals, before any thread starts) and the waiter
  // takes it with sigwait: it only wakes that thread, it terminates nothing.
  pthread_kill(waiter.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
  waiter.join();
}

int Serve(const ServeOptions& o) {
  const sigset_t signals = BlockSignals();
  // The data directory is private (repos, database, keys, logs): files 0600, directories 0700.
  // Children get 022 back (runtime/process.h).
  ::umask(077);
  InitLogging(o.log_level);

  auto instance = service::HubInstance::Open(o.data_dir, HubOptionsFrom(o));
  if (!instance.ok()) return Fail(instance.status());
  // A writer killed mid-update leaves its ref lock behind; nothing else writes yet.
  if (int n = (*instance)->hub().repos.RemoveStaleLocks(); n > 0) {
    spdlog::warn("removed {} git lock file(s) left by a crash", n);
  }
  // Usage records a killed hub left open end where it last saw them running.
  if (auto n = (*instance)->hub().db.usage().CloseAbandonedUsage(); n.ok() && *n > 0) {
    spdlog::info("closed {} usage record(s) left open by a previous run", *n);
  }
  auto admin = (*instance)->BootstrapAdmin();
  if (!admin.ok()) return Fail(admin.status());
  auto git = PrepareGit(o);
  if (!git.ok()) return Fail(git.status());
  // The Space runtime: built before listening, stopped (every Space with it) after the server.
  auto space_runtime = BuildSpaceRuntime(o, (*instance)->hub());
  if (!space_runtime.ok()) return Fail(space_runtime.status());
  service::SpaceEngine* engine = space_runtime->engine.get();
  // Wired once: the API and the proxy see the hub with its engine (none when Spaces are off).
  service::Hub hub = (*instance)->hub().WithRuntime(engine);

  service::JobEngine* jobs = space_runtime->jobs.get();
  api::ApiContext ctx(hub, api::ApiOptions{o.public_url, *git, jobs});
  // Visitors of Spaces: by Host ({ns}-{name}.{domain}), ahead of the API's routes; the path route
  // only redirects there (apps never run on the hub's origin).
  service::HubSpaceDirectory space_directory(hub);
  const service::SpaceVisits visits(hub);  // how browsers get into private Spaces' apps
  proxy::SpaceProxy space_proxy(
      hub, space_directory, ProxyOptionsFrom(o),
      std::make_unique<proxy::TokenVisitorIdentity>(hub.identity, &visits));
  // The pages call the API's own service instances: one set of rules, one cache.
  web::WebContext web_ctx(
      hub, web::WebServices{ctx.repos, ctx.commits, ctx.files, ctx.refs, ctx.spaces, ctx.jobs},
      web::WebOptions{});
  http::Router router;
  space_proxy.Register(router);
  api::RegisterRoutes(router, ctx);
  web::RegisterWebRoutes(router, web_ctx);
  http::Router proxy_router;  // the proxy's own port, when it has one
  space_proxy.RegisterOwnPort(proxy_router);
  http::Server server(ServerOptionsFrom(o), router);
  if (Status st = Listen(o, server, proxy_router); !st.ok()) return Fail(st);

  const std::string endpoint = PublicEndpoint(o, server);
  ctx.SetPublicUrl(endpoint);
  web_ctx.SetPublicUrl(endpoint);
  web_ctx.SetSpaceFrameSrc(proxy::SpaceOrigin(endpoint, "*", ProxyOptionsFrom(o).host_domain));
  space_proxy.SetHubUrl(endpoint);
  Announce(o, server, endpoint, *admin);
  StartEngines(*space_runtime, server);
  // Xet storage: xorbs no live repository's file uses go a day after their upload.
  service::XetSweeper xet_sweeper(hub, std::chrono::hours(6), std::chrono::hours(24));
  xet_sweeper.Start();
  RunUntilSignal(server, signals);
  xet_sweeper.Stop();
  if (jobs) jobs->Stop();
  if (engine) engine->Stop();
  spdlog::info("spacehub stopped");
  spdlog::shutdown();  // flushes the buffered log
  return 0;
}

}  // namespace

Command AddServeCommand(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the hub's HTTP server");
  // CLI11 reads config files at the top level, with each subcommand's options in its own section:
  // `spacehub --config hub.toml serve` with `[serve]` then `port = 8080`, `data-dir = "..."`.
  app.set_config("--config", "", "Read options from a TOML/INI file ([serve] section)")
      ->envname("SPACEHUB_CONFIG");
  AddServeOptions(cmd, o.get());
  return [o] { return Serve(*o); };
}

}  // namespace spacehub::cli
