#include "cli/serve_options.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace spacehub::cli {
namespace {

// "--space-tmp-size" -> "SPACEHUB_SPACE_TMP_SIZE".
std::string EnvName(std::string_view flag) {
  std::string env = "SPACEHUB_";
  for (char c : flag.substr(flag.find_first_not_of('-'))) {
    env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return env;
}

// A whole number, at least 1 (or 0 with `zero_allowed`). CLI11's PositiveNumber and
// NonNegativeNumber say "Value 0 not in range 0.000000 to " and a 309-digit double, which tells an
// operator nothing.
CLI::Validator WholeNumber(bool zero_allowed) {
  const int64_t min = zero_allowed ? 0 : 1;
  return CLI::Validator(
      [min](std::string& value) -> std::string {
        int64_t n = 0;
        const char* end = value.data() + value.size();
        auto [stop, err] = std::from_chars(value.data(), end, n);
        if (err != std::errc() || stop != end || n < min) {
          return "'" + value + "' is not a whole number of at least " + std::to_string(min);
        }
        return "";
      },
      zero_allowed ? "NONNEGATIVE" : "POSITIVE");
}

// One row of the table: the flag, its environment variable and its default shown in --help.
template <class T>
CLI::Option* Opt(CLI::App* cmd, const std::string& flag, T& var, const std::string& help) {
  return cmd->add_option(flag, var, help)->envname(EnvName(flag))->capture_default_str();
}

CLI::Option* Flag(CLI::App* cmd, const std::string& flag, bool& var, const std::string& help) {
  return cmd->add_flag(flag, var, help)->envname(EnvName(flag));
}

void AddListenOptions(CLI::App* cmd, ServeOptions* o) {
  Opt(cmd, "--host", o->host, "Address to listen on");
  Opt(cmd, "--port", o->port, "Port to listen on (0: any free port)");
  Opt(cmd, "--data-dir", o->data_dir, "Where the hub keeps its data");
  Opt(cmd, "--public-url", o->public_url,
      "Absolute URL clients reach the hub at, the base of every URL it hands out (default: "
      "http://<host>:<port>, 127.0.0.1 when listening on every interface; never the request's "
      "Host)");
  Opt(cmd, "--log-level", o->log_level, "trace, debug, info, warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  Opt(cmd, "--threads", o->threads, "I/O threads (0: one per CPU, at least 2)");
  Flag(cmd, "--io-context-per-thread", o->io_context_per_thread,
       "Pin each connection to one I/O thread (faster proxying; a blocking handler then stalls "
       "the connections of its thread)");
}

void AddWebOptions(CLI::App* cmd, ServeOptions* o) {
  Opt(cmd, "--signup", o->signup,
      "Who may create an account on the web UI's sign-up page: 'closed' (administrators create "
      "accounts), 'open' (anyone who reaches the hub) or 'invitation' (a code from `spacehub "
      "admin invite`)")
      ->check(CLI::IsMember({"closed", "open", "invitation"}));
}

void AddHttpEdgeOptions(CLI::App* cmd, ServeOptions* o) {
  Opt(cmd, "--max-body-mb", o->max_body_mb, "Largest buffered request body, in MiB");
  Opt(cmd, "--max-json-body-mb", o->max_json_body_mb,
      "Largest request body of the API's other buffered routes (JSON), in MiB");
  Opt(cmd, "--body-memory-mb", o->body_memory_mb,
      "Request bodies all clients together may have buffered at once, in MiB (at least "
      "--max-body-mb); past it requests get 503");
  Opt(cmd, "--header-timeout", o->header_timeout,
      "Seconds a client has to send a whole request head once it began")
      ->check(WholeNumber(/*zero_allowed=*/false));
  Opt(cmd, "--body-timeout", o->body_timeout,
      "Seconds a request body may take, plus one per --body-min-rate-kb KiB received")
      ->check(WholeNumber(/*zero_allowed=*/false));
  Opt(cmd, "--body-min-rate-kb", o->body_min_rate_kb,
      "Average KiB/s a request body must keep up after --body-timeout (0: no minimum)");
  Opt(cmd, "--max-connections-per-client", o->max_connections_per_client,
      "Open connections one client address may have (0: no limit)");
  Opt(cmd, "--lfs-multipart-threshold-mb", o->lfs_multipart_threshold_mb,
      "LFS objects from this size (MiB) are uploaded in parts");
  Opt(cmd, "--lfs-chunk-mb", o->lfs_chunk_mb, "Part size (MiB) of multipart LFS uploads");
  Opt(cmd, "--xet-shard-checks-per-user", o->xet_shard_checks_per_user,
      "Xet shard uploads one user may have checked at once (each reads its new files back); "
      "past it the user gets 429 with Retry-After, which Xet clients retry")
      ->check(WholeNumber(/*zero_allowed=*/false));
  Opt(cmd, "--xet-shard-checks", o->xet_shard_checks,
      "Xet shard uploads all users together may have checked at once (at least "
      "--xet-shard-checks-per-user); past it everyone gets 503 with Retry-After")
      ->check(WholeNumber(/*zero_allowed=*/false));
}

void AddSpaceOptions(CLI::App* cmd, ServeOptions* o) {
  Opt(cmd, "--space-min-sleep-seconds", o->space_min_sleep_seconds,
      "Shortest custom sleep time a Space on upgraded hardware may set")
      ->check(WholeNumber(/*zero_allowed=*/true));
  Opt(cmd, "--space-runtime", o->space_runtime,
      "Run Spaces: 'local' (bubblewrap sandboxes on this machine, the default) or 'none'")
      ->check(CLI::IsMember({"none", "local"}));
  Opt(cmd, "--jobs-backend", o->jobs_backend,
      "Run Jobs: 'local' (the Spaces' sandbox on this machine, the default), 'slurm' (a Slurm "
      "cluster) or 'none'")
      ->check(CLI::IsMember({"none", "local", "slurm"}));
  Opt(cmd, "--jobs-slurm-conf", o->jobs_slurm_conf,
      "With --jobs-backend slurm: the cluster's slurm.conf (SLURM_CONF of sbatch, scontrol and "
      "scancel; default: Slurm's own)");
  Opt(cmd, "--jobs-slurm-partition", o->jobs_slurm_partition,
      "With --jobs-backend slurm: the partition of jobs whose flavor names none (default: the "
      "cluster's default partition)");
  Opt(cmd, "--jobs-slurm-bin", o->jobs_slurm_bin,
      "With --jobs-backend slurm: the directory of sbatch, scontrol and scancel (e.g. "
      "/opt/slurm/bin)");
  Opt(cmd, "--space-tmp-size", o->space_tmp_size,
      "Size of each Space's /tmp and $HOME (memory, counted in its flavor's limit)");
  Opt(cmd, "--space-build-disk", o->space_build_disk,
      "Disk one build of a Space may write (its venv and packages); stopped past it");
  Opt(cmd, "--space-log-size", o->space_log_size,
      "Size a Space's run log reaches before it rotates (one older file is kept)");
  Opt(cmd, "--space-pip-index-url", o->space_pip_index_url,
      "Package index for Python Spaces' requirements.txt (default: none, offline)");
  Opt(cmd, "--space-wheelhouse", o->space_wheelhouse,
      "Directory of wheels for Python Spaces' requirements.txt");
  Opt(cmd, "--space-host-domain", o->space_host_domain,
      "Domain of SPACE_HOST (<ns>-<name>.<domain>; default localhost)");
  Opt(cmd, "--space-pids-limit", o->space_pids_limit,
      "Processes and threads a Space may have at once (0: no limit)")
      ->check(WholeNumber(/*zero_allowed=*/true));
  Opt(cmd, "--space-storage-tiers", o->space_storage_tiers,
      "Sizes of the persistent storage tiers");
  Opt(cmd, "--space-storage-mode", o->space_storage_mode,
      "'auto': /data as loop-mounted ext4 images where possible; 'plain': directories")
      ->check(CLI::IsMember({"auto", "plain"}));
  Opt(cmd, "--space-build-memory", o->space_build_memory,
      "Memory each Space build command (venv, pip) may use, e.g. 4G");
  Flag(cmd, "--space-no-limits", o->space_no_limits,
       "Run Spaces without cgroup limits (memory, CPU, processes)");
}

void AddSpaceProxyOptions(CLI::App* cmd, ServeOptions* o) {
  Opt(cmd, "--space-proxy-port", o->space_proxy_port,
      "A port of its own for visitors of Spaces (by Host); 0: the hub's port only");
  Opt(cmd, "--space-proxy-read-timeout", o->space_proxy_read_timeout,
      "Seconds an app may take to start its response, or stay silent within it")
      ->check(WholeNumber(/*zero_allowed=*/false));
  Opt(cmd, "--space-proxy-tunnel-idle-timeout", o->space_proxy_tunnel_idle_timeout,
      "Seconds a websocket to a Space may stay silent both ways before it is closed")
      ->check(WholeNumber(/*zero_allowed=*/false));
  Opt(cmd, "--space-proxy-wake-timeout", o->space_proxy_wake_timeout,
      "Seconds a request to a starting Space is held before a 503")
      ->check(WholeNumber(/*zero_allowed=*/false));
  Opt(cmd, "--space-proxy-max-body-mb", o->space_proxy_max_body_mb,
      "Largest request body to a Space's app, in MiB (0: no limit)");
  Opt(cmd, "--space-proxy-app-idle-seconds", o->space_proxy_app_idle_seconds,
      "Seconds an idle keep-alive connection to an app is kept for reuse")
      ->check(WholeNumber(/*zero_allowed=*/true));
  Opt(cmd, "--space-proxy-proto", o->space_proxy_proto,
      "X-Forwarded-Proto sent to apps (https behind a TLS terminator)")
      ->check(CLI::IsMember({"http", "https"}));
}

// A Markdown table cell: '|' would end the cell and '<' open an HTML tag.
std::string Cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|' || c == '<' || c == '>') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

void AddServeOptions(CLI::App* cmd, ServeOptions* o) {
  AddListenOptions(cmd, o);
  AddWebOptions(cmd, o);
  AddHttpEdgeOptions(cmd, o);
  AddSpaceOptions(cmd, o);
  AddSpaceProxyOptions(cmd, o);
}

std::string ConfigReference(const CLI::App& serve) {
  std::string md =
      "# Configuration reference: `spacehub serve`\n\n"
      "Generated by `spacehub config-reference` from the options the binary registers; do not "
      "edit by hand (a test compares this file with the binary's output).\n\n"
      "Each option can be given three ways, the first found wins: the flag, the environment "
      "variable, or the key (the flag without `--`) in the `[serve]` section of a TOML file "
      "named by `spacehub --config FILE serve` (or `SPACEHUB_CONFIG`):\n\n"
      "```toml\n[serve]\nport = 8080\ndata-dir = \"/var/lib/spacehub\"\n```\n\n"
      "| flag | environment | default | meaning |\n|---|---|---|---|\n";
  for (const CLI::Option* opt : serve.get_options()) {
    if (opt->get_name() == "--help" || opt->get_name().empty()) continue;
    std::string def = opt->get_expected_max() == 0 ? "off" : opt->get_default_str();
    md += "| `" + opt->get_name() + "` | `" + opt->get_envname() + "` | " +
          (def.empty() ? "" : "`" + Cell(def) + "`") + " | " + Cell(opt->get_description()) +
          " |\n";
  }
  return md;
}

Command AddConfigReferenceCommand(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("config-reference", "Print the reference of serve's options as Markdown");
  cmd->group("");  // hidden: a tool for the docs, not for operators
  return [&app] {
    std::fputs(ConfigReference(*app.get_subcommand("serve")).c_str(), stdout);
    return 0;
  };
}

}  // namespace spacehub::cli
