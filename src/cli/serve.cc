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
#include "cli/commands.h"
#include "cli/serve_options.h"
#include "core/crypto.h"
#include "core/log.h"
#include "http/server.h"
#include "proxy/space_proxy.h"
#include "runtime/local/local_backend.h"
#include "runtime/podman/podman.h"
#include "service/hub_instance.h"
#include "service/placement.h"
#include "service/space_engine.h"

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

int Serve(const ServeOptions& o) {
  // Signals are taken by one waiting thread, so every other thread (the log flusher included, so
  // this comes first) runs with them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // The data directory is private (repos, database, keys, logs): files 0600, directories 0700.
  // Children get 022 back (runtime/process.h).
  ::umask(077);
  InitLogging(o.log_level);

  service::HubOptions hub_options;
  hub_options.multipart_threshold_bytes = o.lfs_multipart_threshold_mb * 1024 * 1024;
  hub_options.multipart_chunk_bytes = std::max<uint64_t>(1, o.lfs_chunk_mb) * 1024 * 1024;
  hub_options.space_min_sleep_seconds = o.space_min_sleep_seconds;
  hub_options.detected_gpus = service::DetectGpus();
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
  // Visitors of Spaces: by Host ({ns}-{name}.{domain}), ahead of the API's routes; the path route
  // only redirects there (apps never run on the hub's origin).
  service::HubSpaceDirectory space_directory((*instance)->hub());
  proxy::SpaceProxy space_proxy(
      (*instance)->hub(), space_directory, ProxyOptionsFrom(o),
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
  so.max_small_body_bytes = o.max_json_body_mb * 1024 * 1024;
  // Never below the largest single body, which could otherwise never be received.
  so.body_memory_bytes = std::max(o.body_memory_mb, o.max_body_mb) * 1024 * 1024;
  so.header_timeout = std::chrono::seconds(o.header_timeout);
  so.body_timeout = std::chrono::seconds(o.body_timeout);
  so.body_min_rate = o.body_min_rate_kb * 1024;
  so.max_connections_per_client = o.max_connections_per_client;
  http::Server server(so, router);

  // The Space runtime: built before listening, stopped (every Space with it) after the server.
  std::unique_ptr<runtime::LocalBackend> backend;
  std::unique_ptr<service::SpaceEngine> engine;
  bool have_podman = false;
  runtime::LocalBackendOptions bo;
  if (o.space_runtime == "local") {
    bo.bwrap = runtime::LocalBackend::FindBwrap();
    if (bo.bwrap.empty()) {
      std::fprintf(stderr,
                   "spacehub: Spaces are off: bubblewrap (bwrap) is not installed; install it "
                   "(apt-get install bubblewrap) and restart, or pass --space-runtime none\n");
    }
    std::error_code ec;
    auto data_abs = std::filesystem::weakly_canonical(std::filesystem::absolute(o.data_dir), ec);
    if (Status reach = runtime::LocalBackend::CheckReachable(data_abs);
        !bo.bwrap.empty() && !reach.ok()) {
      std::fprintf(stderr, "spacehub: Spaces are off: %s\n", reach.message().c_str());
      bo.bwrap.clear();
    }
  }
  if (o.space_runtime == "local" && !bo.bwrap.empty()) {
    // Docker Spaces: podman when installed (otherwise their builds say so in a BUILD_ERROR).
    bo.podman = runtime::FindPodman();
    bo.hub_tag = runtime::HubTag(o.data_dir);
    bo.scratch = runtime::PodmanScratchDir(o.data_dir);
    have_podman = !bo.podman.empty();
    auto tiers = service::ParseTierSizes(o.space_storage_tiers);
    if (!tiers.ok()) {
      std::fprintf(stderr, "spacehub: --space-storage-tiers: %s\n",
                   tiers.status().message().c_str());
      return 1;
    }
    auto tmp_size = runtime::ParseSize(o.space_tmp_size);
    if (!tmp_size.ok()) {
      std::fprintf(stderr, "spacehub: --space-tmp-size: %s\n", tmp_size.status().message().c_str());
      return 1;
    }
    auto log_size = runtime::ParseSize(o.space_log_size);
    if (!log_size.ok() || *log_size < 4096) {
      std::fprintf(stderr, "spacehub: --space-log-size: at least 4K, e.g. 10M\n");
      return 1;
    }
    auto build_disk = runtime::ParseSize(o.space_build_disk);
    if (!build_disk.ok()) {
      std::fprintf(stderr, "spacehub: --space-build-disk: %s\n",
                   build_disk.status().message().c_str());
      return 1;
    }
    auto build_memory = runtime::ParseSize(o.space_build_memory);
    if (!build_memory.ok()) {
      std::fprintf(stderr, "spacehub: --space-build-memory: %s\n",
                   build_memory.status().message().c_str());
      return 1;
    }
    // Each hub has its own cgroup tree (two hubs on one machine never touch each other's Spaces),
    // stable across restarts of the same data directory so leftovers are found.
    std::error_code ec;
    auto data_abs = std::filesystem::weakly_canonical(std::filesystem::absolute(o.data_dir), ec);
    bo.limits = !o.space_no_limits;
    bo.cgroups.tree = "spacehub/" + Sha256Hex(data_abs.string()).substr(0, 12);
    bo.volumes.root = data_abs / "spaces";
    bo.volumes.try_loop = o.space_storage_mode != "plain";
    backend = std::make_unique<runtime::LocalBackend>(bo);
    spdlog::info("space runtime: limits: {}", backend->LimitsMode());
    spdlog::info("space runtime: storage: {}", backend->StorageMode());
    // Containers outlive a killed hub (podman's conmon keeps them): the ones it left go now.
    for (const auto& name : backend->RemoveStaleContainers()) {
      spdlog::info("space runtime: removed the container {} left by a previous run", name);
    }
    service::SpaceEngineOptions eo;
    eo.storage_tiers = *tiers;
    eo.pids_limit = o.space_pids_limit;
    eo.tmp_bytes = *tmp_size;
    eo.run_log_cap = *log_size;
    eo.python.disk_bytes = *build_disk;
    eo.data_dir = o.data_dir;
    eo.python.pip_index_url = o.space_pip_index_url;
    eo.python.bwrap = bo.bwrap;  // builds run sandboxed too
    eo.python.wheelhouse = o.space_wheelhouse;
    eo.python.venv_template = std::filesystem::path(o.data_dir) / "cache" / "venv-template";
    eo.python.cgroups = backend->cgroups();
    eo.python.limits.pids = o.space_pids_limit;
    eo.python.limits.memory_bytes = *build_memory;
    eo.podman = bo.podman;
    eo.gpus = static_cast<int>(hub_options.detected_gpus);
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
  // Every absolute URL the hub hands out starts here, never at a request's Host.
  const std::string endpoint = api::PublicUrlFor(o.public_url, o.host, server.port());
  if (o.public_url.empty() && (o.host == "0.0.0.0" || o.host == "::" || o.host.empty())) {
    spdlog::warn(
        "listening on every interface without --public-url: the URLs the hub hands out (LFS "
        "uploads and downloads, pagination) point at {}; set --public-url to the address clients "
        "use",
        endpoint);
  }
  ctx.SetPublicUrl(endpoint);
  space_proxy.SetHubUrl(endpoint);
  std::printf("spacehub listening on http://%s:%u (data: %s)\n", o.host.c_str(), server.port(),
              o.data_dir.c_str());
  std::printf("HF_ENDPOINT=%s\n", endpoint.c_str());
  if (admin_token->has_value()) {
    std::printf("HF_TOKEN=%s\n", (*admin_token)->c_str());
    std::printf("# administrator 'admin' created; the token above is shown only once\n");
  }
  std::fflush(stdout);
  if (engine) {
    // Spaces reach this hub's API at HF_ENDPOINT from inside their own network (no relay).
    service::SpaceEngine::HubInside inside;
    inside.port = server.port();
    inside.add = [&server](int fd) {
      return server.AddListener(fd, nullptr, /*urls_from_listener=*/true);
    };
    inside.remove = [&server](int id) { server.RemoveListener(id); };
    engine->ServeHubInside(std::move(inside));
    engine->Start();
    spdlog::info("space runtime: local (bubblewrap), Docker Spaces {}",
                 !have_podman ? "unavailable (no podman)" : "with podman");
  }

  std::thread waiter([&server, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("signal {} received: shutting down", sig);
    server.Stop();
  });
  server.Run();
  // Run() also returns if the server stops for another reason: wake the waiter so it can exit.
  // SIGTERM is blocked in every thread (above, before any thread starts) and the waiter takes it
  // with sigwait: it only wakes that thread, it terminates nothing.
  pthread_kill(waiter.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
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
  AddServeOptions(cmd, o.get());
  return [o] { return Serve(*o); };
}

}  // namespace spacehub::cli
