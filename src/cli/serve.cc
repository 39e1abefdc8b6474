// `spacehub serve`: opens the data directory, creates the administrator on first start, and runs
// the HTTP server until SIGTERM or SIGINT (graceful: in-flight requests finish).
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "api/routes.h"
#include "cli/commands.h"
#include "core/log.h"
#include "http/server.h"
#include "proxy/space_proxy.h"
#include "runtime/local/local_backend.h"
#include "service/hub_instance.h"
#include "service/space_engine.h"

namespace spacehub::cli {
namespace {

struct ServeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string data_dir = "./spacehub-data";
  std::string public_url;
  std::string log_level = "info";
  int threads = 0;
  bool io_context_per_thread = false;
  uint64_t max_body_mb = 512;
  // Split only objects a single PUT would struggle with (S3 caps a PUT at 5 GiB; a local disk does
  // not care, and every split costs a second pass over the data at completion).
  uint64_t lfs_multipart_threshold_mb = 5 * 1024;
  uint64_t lfs_chunk_mb = 64;
  int64_t space_min_sleep_seconds = 5 * 60;
  std::string space_runtime = "none";  // none | local (docs/design/0004-runtime.md)
  std::string space_pip_index_url;
  std::string space_wheelhouse;
  std::string space_host_domain;
  uint16_t space_proxy_port = 0;  // 0: visitors come through the hub's port only
  int64_t space_proxy_read_timeout = 60;
  int64_t space_proxy_tunnel_idle_timeout = 3600;
  int64_t space_proxy_wake_timeout = 300;
  uint64_t space_proxy_max_body_mb = 0;
  int64_t space_proxy_app_idle_seconds = 30;
  std::string space_proxy_proto = "http";
};

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

int Serve(const ServeOptions& o) {
  // Signals are taken by one waiting thread, so every other thread (the log flusher included, so
  // this comes first) runs with them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  InitLogging(o.log_level);

  service::HubOptions hub_options;
  hub_options.multipart_threshold_bytes = o.lfs_multipart_threshold_mb * 1024 * 1024;
  hub_options.multipart_chunk_bytes = std::max<uint64_t>(1, o.lfs_chunk_mb) * 1024 * 1024;
  hub_options.space_min_sleep_seconds = o.space_min_sleep_seconds;
  auto instance = service::HubInstance::Open(o.data_dir, hub_options);
  if (!instance.ok()) {
    std::fprintf(stderr, "spacehub: %s\n", instance.status().ToString().c_str());
    return 1;
  }
  auto admin_token = (*instance)->BootstrapAdmin();
  if (!admin_token.ok()) {
    std::fprintf(stderr, "spacehub: %s\n", admin_token.status().ToString().c_str());
    return 1;
  }

  std::error_code exe_ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", exe_ec);
  auto git = service::PrepareGitHttp(o.data_dir, self);
  if (exe_ec || !git.ok()) {
    std::fprintf(stderr, "spacehub: cannot prepare git hooks: %s\n",
                 exe_ec ? exe_ec.message().c_str() : git.status().ToString().c_str());
    return 1;
  }
  api::ApiContext ctx((*instance)->hub(), api::ApiOptions{o.public_url, *git});
  // Visitors of Spaces: by Host ({ns}-{name}.{domain}) and by path, ahead of the API's routes.
  proxy::SpaceProxy space_proxy(
      (*instance)->hub(), ProxyOptionsFrom(o),
      std::make_unique<proxy::TokenVisitorIdentity>((*instance)->hub().identity));
  http::Router router;
  space_proxy.Register(router);
  api::RegisterRoutes(router, ctx);
  http::Router proxy_router;  // the proxy's own port, when it has one
  space_proxy.RegisterOwnPort(proxy_router);
  http::ServerOptions so;
  so.host = o.host;
  so.port = o.port;
  so.threads = o.threads;
  so.context_per_thread = o.io_context_per_thread;
  so.max_body_bytes = o.max_body_mb * 1024 * 1024;
  http::Server server(so, router);

  // The Space runtime: built before listening, stopped (every Space with it) after the server.
  std::unique_ptr<runtime::LocalBackend> backend;
  std::unique_ptr<service::SpaceEngine> engine;
  if (o.space_runtime == "local") {
    runtime::LocalBackendOptions bo;
    bo.bwrap = runtime::LocalBackend::FindBwrap();
    if (bo.bwrap.empty()) {
      std::fprintf(stderr, "spacehub: --space-runtime local needs bubblewrap (bwrap)\n");
      return 1;
    }
    backend = std::make_unique<runtime::LocalBackend>(bo);
    service::SpaceEngineOptions eo;
    eo.data_dir = o.data_dir;
    eo.python.pip_index_url = o.space_pip_index_url;
    eo.python.bwrap = bo.bwrap;  // builds run sandboxed too
    eo.python.wheelhouse = o.space_wheelhouse;
    eo.host_domain = o.space_host_domain.empty() ? "localhost" : o.space_host_domain;
    engine = std::make_unique<service::SpaceEngine>((*instance)->hub(), *backend, eo);
    (*instance)->hub().runtime = engine.get();
  }
  if (Status st = server.Listen(); !st.ok()) {
    std::fprintf(stderr, "spacehub: %s\n", st.ToString().c_str());
    return 1;
  }
  if (o.space_proxy_port != 0) {
    Result<int> fd = http::Server::OpenListeningSocket(o.host, o.space_proxy_port);
    Result<int> id = fd.ok() ? server.AddListener(*fd, &proxy_router) : fd;
    if (!id.ok()) {
      std::fprintf(stderr, "spacehub: Space proxy port: %s\n", id.status().ToString().c_str());
      return 1;
    }
    spdlog::info("space proxy listening host={} port={}", o.host, o.space_proxy_port);
  }
  std::string shown_host = (o.host == "0.0.0.0" || o.host == "::") ? "127.0.0.1" : o.host;
  std::string endpoint = o.public_url.empty()
                             ? "http://" + shown_host + ":" + std::to_string(server.port())
                             : o.public_url;
  std::printf("spacehub listening on http://%s:%u (data: %s)\n", o.host.c_str(), server.port(),
              o.data_dir.c_str());
  std::printf("HF_ENDPOINT=%s\n", endpoint.c_str());
  if (admin_token->has_value()) {
    std::printf("HF_TOKEN=%s\n", (*admin_token)->c_str());
    std::printf("# administrator 'admin' created; the token above is shown only once\n");
  }
  std::fflush(stdout);
  if (engine) {
    engine->Start();
    spdlog::info("space runtime: local (bubblewrap), /data as plain directories");
  }

  std::thread waiter([&server, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("signal {} received: shutting down", sig);
    server.Stop();
  });
  server.Run();
  // Run() also returns if the server stops for another reason: wake the waiter so it can exit.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  if (engine) {
    engine->Stop();
    (*instance)->hub().runtime = nullptr;
  }
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
  cmd->add_option("--host", o->host, "Address to listen on")
      ->envname("SPACEHUB_HOST")
      ->capture_default_str();
  cmd->add_option("--port", o->port, "Port to listen on (0: any free port)")
      ->envname("SPACEHUB_PORT")
      ->capture_default_str();
  cmd->add_option("--data-dir", o->data_dir, "Where the hub keeps its data")
      ->envname("SPACEHUB_DATA_DIR")
      ->capture_default_str();
  cmd->add_option("--public-url", o->public_url,
                  "Absolute URL clients reach the hub at (default: from the Host header)")
      ->envname("SPACEHUB_PUBLIC_URL");
  cmd->add_option("--log-level", o->log_level, "trace, debug, info, warn or error")
      ->envname("SPACEHUB_LOG_LEVEL")
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "I/O threads (0: one per CPU, at least 2)")
      ->envname("SPACEHUB_THREADS");
  cmd->add_flag("--io-context-per-thread", o->io_context_per_thread,
                "Pin each connection to one I/O thread (faster proxying; a blocking handler then "
                "stalls the connections of its thread)")
      ->envname("SPACEHUB_IO_CONTEXT_PER_THREAD");
  cmd->add_option("--max-body-mb", o->max_body_mb, "Largest buffered request body, in MiB")
      ->envname("SPACEHUB_MAX_BODY_MB")
      ->capture_default_str();
  cmd->add_option("--lfs-multipart-threshold-mb", o->lfs_multipart_threshold_mb,
                  "LFS objects from this size (MiB) are uploaded in parts")
      ->envname("SPACEHUB_LFS_MULTIPART_THRESHOLD_MB")
      ->capture_default_str();
  cmd->add_option("--lfs-chunk-mb", o->lfs_chunk_mb, "Part size (MiB) of multipart LFS uploads")
      ->envname("SPACEHUB_LFS_CHUNK_MB")
      ->capture_default_str();
  cmd->add_option("--space-min-sleep-seconds", o->space_min_sleep_seconds,
                  "Shortest custom sleep time a Space on upgraded hardware may set")
      ->envname("SPACEHUB_SPACE_MIN_SLEEP_SECONDS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--space-runtime", o->space_runtime,
                  "Run Spaces: 'local' (bubblewrap sandboxes on this machine) or 'none'")
      ->envname("SPACEHUB_SPACE_RUNTIME")
      ->check(CLI::IsMember({"none", "local"}))
      ->capture_default_str();
  cmd->add_option("--space-pip-index-url", o->space_pip_index_url,
                  "Package index for Python Spaces' requirements.txt (default: none, offline)")
      ->envname("SPACEHUB_SPACE_PIP_INDEX_URL");
  cmd->add_option("--space-wheelhouse", o->space_wheelhouse,
                  "Directory of wheels for Python Spaces' requirements.txt")
      ->envname("SPACEHUB_SPACE_WHEELHOUSE");
  cmd->add_option("--space-host-domain", o->space_host_domain,
                  "Domain of SPACE_HOST (<ns>-<name>.<domain>; default localhost)")
      ->envname("SPACEHUB_SPACE_HOST_DOMAIN");
  cmd->add_option("--space-proxy-port", o->space_proxy_port,
                  "A port of its own for visitors of Spaces (by Host); 0: the hub's port only")
      ->envname("SPACEHUB_SPACE_PROXY_PORT");
  cmd->add_option("--space-proxy-read-timeout", o->space_proxy_read_timeout,
                  "Seconds an app may take to start its response, or stay silent within it")
      ->envname("SPACEHUB_SPACE_PROXY_READ_TIMEOUT")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--space-proxy-tunnel-idle-timeout", o->space_proxy_tunnel_idle_timeout,
                  "Seconds a websocket to a Space may stay silent both ways before it is closed")
      ->envname("SPACEHUB_SPACE_PROXY_TUNNEL_IDLE_TIMEOUT")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--space-proxy-wake-timeout", o->space_proxy_wake_timeout,
                  "Seconds a request to a starting Space is held before a 503")
      ->envname("SPACEHUB_SPACE_PROXY_WAKE_TIMEOUT")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--space-proxy-max-body-mb", o->space_proxy_max_body_mb,
                  "Largest request body to a Space's app, in MiB (0: no limit)")
      ->envname("SPACEHUB_SPACE_PROXY_MAX_BODY_MB")
      ->capture_default_str();
  cmd->add_option("--space-proxy-app-idle-seconds", o->space_proxy_app_idle_seconds,
                  "Seconds an idle keep-alive connection to an app is kept for reuse")
      ->envname("SPACEHUB_SPACE_PROXY_APP_IDLE_SECONDS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--space-proxy-proto", o->space_proxy_proto,
                  "X-Forwarded-Proto sent to apps (https behind a TLS terminator)")
      ->envname("SPACEHUB_SPACE_PROXY_PROTO")
      ->check(CLI::IsMember({"http", "https"}))
      ->capture_default_str();
  return [o] { return Serve(*o); };
}

}  // namespace spacehub::cli
