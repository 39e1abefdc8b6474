// The options of `spacehub serve`, in one table: each one is a flag, an environment variable
// (SPACEHUB_ + the flag in capitals) and a key of the config file's [serve] section, all made from
// the one registration in serve_options.cc. `spacehub config-reference` prints that table as the
// Markdown of docs/configuration.md, so the reference cannot drift from the binary (a test compares
// them). Called from main's thread only.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "cli/commands.h"

namespace spacehub::cli {

struct ServeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string data_dir = "./spacehub-data";
  std::string public_url;
  std::string log_level = "info";
  int threads = 0;
  bool io_context_per_thread = false;
  std::string signup = "closed";  // closed | open | invitation (auth/sessions.h SignupPolicy)
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
  // Xet shard checks under way at once; each reads its new files back whole on the pool of 4
  // threads for slow work (http/server.h), so one user may hold half of it.
  int xet_shard_checks_per_user = 2;
  int xet_shard_checks = 8;
  int64_t space_min_sleep_seconds = 5 * 60;
  std::string space_runtime = "local";  // local | none (docs/design/0004-runtime.md)
  std::string jobs_backend = "local";   // local | slurm | none (docs/design/0010-jobs.md)
  std::string jobs_slurm_conf;          // SLURM_CONF of sbatch/scontrol/scancel; "": Slurm's own
  std::string jobs_slurm_partition;     // when a flavor names none; "": the cluster's default
  std::string jobs_slurm_bin = "/usr/bin";  // where sbatch, scontrol and scancel are
  std::string space_tmp_size = "1G";        // each Space's /tmp and $HOME (tmpfs, in its memory)
  std::string space_log_size = "10M";       // a Space's run log before it rotates (kept: two)
  std::string space_build_disk = "20G";     // what one build of a Space may write (venv, packages)
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

// Registers every option of `serve` on `cmd`, bound to `o` (which must outlive the parse).
void AddServeOptions(CLI::App* cmd, ServeOptions* o);

// The reference of `serve`'s options as Markdown (docs/configuration.md).
std::string ConfigReference(const CLI::App& serve);

// `spacehub config-reference` (hidden): prints ConfigReference of the registered `serve`.
Command AddConfigReferenceCommand(CLI::App& app);

}  // namespace spacehub::cli
