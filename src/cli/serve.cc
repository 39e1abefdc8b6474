// `spacehub serve`: opens the data directory, creates the administrator on first start, and runs
// the HTTP server until SIGTERM or SIGINT (graceful: in-flight requests finish).
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "api/public_url.h"
#include "api/routes.h"
#include "cli/commands.h"
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

struct ServeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string data_dir = "./spacehub-data";
  std::string public_url;
  std::string log_level = "info";
  int threads = 0;
  bool io_context_per_thread = false;
  uint64_t max_body_mb = 512;
  // The HTTP edge (src/http/server.h says what each limit guards against).
  uint64_t max_json_body_mb = 10;
  uint64_t body_memory_mb = 1024;
  int64_t header_timeout = 30;
  int64_t body_timeout = 60;
  uint64_t body_min_rate_kb = 16;
  size_t max_connections_per_client = 4096;
  // Split only objects a single PUT would struggle with (S3 caps a PUT at 5 GiB; a local disk does
  // not care, and every split costs a second pass over the data at completion).
  uint64_t lfs_multipart_threshold_mb = 5 * 1024;
  uint64_t lfs_chunk_mb = 64;
  int64_t space_min_sleep_seconds = 5 * 60;
  std::string space_runtime = "local";   // local | none (docs/design/0004-runtime.md)
  std::string space_tmp_size = "1G";     // each Space's /tmp and $HOME (tmpfs, in its memory)
  std::string space_log_size = "10M";    // a Space's run log before it rotates (kept: two)
  std::string space_build_disk = "20G";  // what one build of a Space may write (venv, packages)
  std::string space_pip_index_url;
  std::string space_wheelhouse;
  std::string space_host_domain;
  int64_t space_pids_limit = 1024;
  std::string space_storage_tiers = "small=20G,medium=150G,large=1T";
  std::string space_storage_mode = "auto";  // auto (loop-mounted ext4 where it works) | plain
  bool space_no_limits = false;
  std::string space_build_memory = "4G";  // memory of each build command (venv, pip)
  uint16_t space_proxy_port = 0;          // 0: visitors come through the hub's port only
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
                  "Absolute URL clients reach the hub at, the base of every URL it hands out "
                  "(default: http://<host>:<port>, 127.0.0.1 when listening on every interface; "
                  "never the request's Host)")
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
  cmd->add_option("--max-json-body-mb", o->max_json_body_mb,
                  "Largest request body of the API's other buffered routes (JSON), in MiB")
      ->envname("SPACEHUB_MAX_JSON_BODY_MB")
      ->capture_default_str();
  cmd->add_option("--body-memory-mb", o->body_memory_mb,
                  "Request bodies all clients together may have buffered at once, in MiB (at "
                  "least --max-body-mb); past it requests get 503")
      ->envname("SPACEHUB_BODY_MEMORY_MB")
      ->capture_default_str();
  cmd->add_option("--header-timeout", o->header_timeout,
                  "Seconds a client has to send a whole request head once it began")
      ->envname("SPACEHUB_HEADER_TIMEOUT")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--body-timeout", o->body_timeout,
                  "Seconds a request body may take, plus one per --body-min-rate-kb KiB received")
      ->envname("SPACEHUB_BODY_TIMEOUT")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--body-min-rate-kb", o->body_min_rate_kb,
                  "Average KiB/s a request body must keep up after --body-timeout (0: no minimum)")
      ->envname("SPACEHUB_BODY_MIN_RATE_KB")
      ->capture_default_str();
  cmd->add_option("--max-connections-per-client", o->max_connections_per_client,
                  "Open connections one client address may have (0: no limit)")
      ->envname("SPACEHUB_MAX_CONNECTIONS_PER_CLIENT")
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
  cmd->add_option(
         "--space-runtime", o->space_runtime,
         "Run Spaces: 'local' (bubblewrap sandboxes on this machine, the default) or 'none'")
      ->envname("SPACEHUB_SPACE_RUNTIME")
      ->check(CLI::IsMember({"none", "local"}))
      ->capture_default_str();
  cmd->add_option("--space-tmp-size", o->space_tmp_size,
                  "Size of each Space's /tmp and $HOME (memory, counted in its flavor's limit)")
      ->envname("SPACEHUB_SPACE_TMP_SIZE")
      ->capture_default_str();
  cmd->add_option("--space-build-disk", o->space_build_disk,
                  "Disk one build of a Space may write (its venv and packages); stopped past it")
      ->envname("SPACEHUB_SPACE_BUILD_DISK")
      ->capture_default_str();
  cmd->add_option("--space-log-size", o->space_log_size,
                  "Size a Space's run log reaches before it rotates (one older file is kept)")
      ->envname("SPACEHUB_SPACE_LOG_SIZE")
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
  cmd->add_option("--space-pids-limit", o->space_pids_limit,
                  "Processes and threads a Space may have at once (0: no limit)")
      ->envname("SPACEHUB_SPACE_PIDS_LIMIT")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--space-storage-tiers", o->space_storage_tiers,
                  "Sizes of the persistent storage tiers")
      ->envname("SPACEHUB_SPACE_STORAGE_TIERS")
      ->capture_default_str();
  cmd->add_option("--space-storage-mode", o->space_storage_mode,
                  "'auto': /data as loop-mounted ext4 images where possible; 'plain': directories")
      ->envname("SPACEHUB_SPACE_STORAGE_MODE")
      ->check(CLI::IsMember({"auto", "plain"}))
      ->capture_default_str();
  cmd->add_option("--space-build-memory", o->space_build_memory,
                  "Memory each Space build command (venv, pip) may use, e.g. 4G")
      ->envname("SPACEHUB_SPACE_BUILD_MEMORY")
      ->capture_default_str();
  cmd->add_flag("--space-no-limits", o->space_no_limits,
                "Run Spaces without cgroup limits (memory, CPU, processes)")
      ->envname("SPACEHUB_SPACE_NO_LIMITS");
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
