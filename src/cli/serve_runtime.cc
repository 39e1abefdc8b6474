#include "cli/serve_runtime.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>

#include "core/crypto.h"
#include "runtime/local/local_job_backend.h"
#include "runtime/podman/podman.h"
#include "runtime/slurm/slurm_job_backend.h"
#include "runtime/volume.h"
#include "service/space_storage.h"

namespace spacehub::cli {
namespace {

// Sizes given as "4G", "10M"...; the option's name leads any error.
struct Sizes {
  service::TierSizes tiers;
  int64_t tmp = 0;
  int64_t log = 0;
  int64_t build_disk = 0;
  int64_t build_memory = 0;
};

Result<int64_t> SizeOption(const char* flag, const std::string& value) {
  auto size = runtime::ParseSize(value);
  if (!size.ok())
    return Status::InvalidArgument(std::string(flag) + ": " + size.status().message());
  return *size;
}

Result<Sizes> ParseSizes(const ServeOptions& o) {
  Sizes s;
  auto tiers = service::ParseTierSizes(o.space_storage_tiers);
  if (!tiers.ok()) {
    return Status::InvalidArgument("--space-storage-tiers: " + tiers.status().message());
  }
  s.tiers = *tiers;
  SH_ASSIGN_OR_RETURN(s.tmp, SizeOption("--space-tmp-size", o.space_tmp_size));
  auto log = runtime::ParseSize(o.space_log_size);
  if (!log.ok() || *log < 4096) {
    return Status::InvalidArgument("--space-log-size: at least 4K, e.g. 10M");
  }
  s.log = *log;
  SH_ASSIGN_OR_RETURN(s.build_disk, SizeOption("--space-build-disk", o.space_build_disk));
  SH_ASSIGN_OR_RETURN(s.build_memory, SizeOption("--space-build-memory", o.space_build_memory));
  return s;
}

std::filesystem::path AbsoluteDataDir(const ServeOptions& o) {
  std::error_code ec;
  return std::filesystem::weakly_canonical(std::filesystem::absolute(o.data_dir), ec);
}

// The bwrap binary, or "" (with the reason on stderr) when Spaces cannot run sandboxed here.
std::string FindSandbox(const ServeOptions& o) {
  std::string bwrap = runtime::LocalBackend::FindBwrap();
  if (bwrap.empty()) {
    std::fprintf(stderr,
                 "spacehub: Spaces are off: bubblewrap (bwrap) is not installed; install it "
                 "(apt-get install bubblewrap) and restart, or pass --space-runtime none\n");
    return "";
  }
  if (Status reach = runtime::LocalBackend::CheckReachable(AbsoluteDataDir(o)); !reach.ok()) {
    std::fprintf(stderr, "spacehub: Spaces are off: %s\n", reach.message().c_str());
    return "";
  }
  return bwrap;
}

runtime::LocalBackendOptions BackendOptions(const ServeOptions& o, std::string bwrap) {
  runtime::LocalBackendOptions bo;
  bo.bwrap = std::move(bwrap);
  // Docker Spaces: podman when installed (otherwise their builds say so in a BUILD_ERROR).
  bo.podman = runtime::FindPodman();
  bo.hub_tag = runtime::HubTag(o.data_dir);
  bo.scratch = runtime::PodmanScratchDir(o.data_dir);
  // Each hub has its own cgroup tree (two hubs on one machine never touch each other's Spaces),
  // stable across restarts of the same data directory so leftovers are found.
  const std::filesystem::path data_abs = AbsoluteDataDir(o);
  bo.limits = !o.space_no_limits;
  bo.cgroups.tree = "spacehub/" + Sha256Hex(data_abs.string()).substr(0, 12);
  bo.volumes.root = data_abs / "spaces";
  bo.volumes.try_loop = o.space_storage_mode != "plain";
  return bo;
}

service::SpaceEngineOptions EngineOptions(const ServeOptions& o, const Sizes& sizes,
                                          const runtime::LocalBackendOptions& bo,
                                          runtime::LocalBackend& backend, int64_t gpus) {
  service::SpaceEngineOptions eo;
  eo.storage_tiers = sizes.tiers;
  eo.pids_limit = o.space_pids_limit;
  eo.tmp_bytes = sizes.tmp;
  eo.run_log_cap = sizes.log;
  eo.data_dir = o.data_dir;
  eo.python.disk_bytes = sizes.build_disk;
  eo.python.pip_index_url = o.space_pip_index_url;
  eo.python.bwrap = bo.bwrap;  // builds run sandboxed too
  eo.python.wheelhouse = o.space_wheelhouse;
  eo.python.venv_template = std::filesystem::path(o.data_dir) / "cache" / "venv-template";
  eo.python.cgroups = backend.cgroups();
  eo.python.limits.pids = o.space_pids_limit;
  eo.python.limits.memory_bytes = sizes.build_memory;
  eo.podman = bo.podman;
  eo.gpus = static_cast<int>(gpus);
  eo.host_domain = o.space_host_domain.empty() ? "localhost" : o.space_host_domain;
  return eo;
}

// The Spaces' backend and engine (rt.backend, rt.engine), unless Spaces are off.
Status BuildSpaces(const ServeOptions& o, service::Hub& hub, SpaceRuntime& rt) {
  if (o.space_runtime != "local") return Status::Ok();
  std::string bwrap = FindSandbox(o);
  if (bwrap.empty()) return Status::Ok();
  SH_ASSIGN_OR_RETURN(Sizes sizes, ParseSizes(o));
  runtime::LocalBackendOptions bo = BackendOptions(o, std::move(bwrap));
  rt.have_podman = !bo.podman.empty();
  rt.backend = std::make_unique<runtime::LocalBackend>(bo);
  spdlog::info("space runtime: limits: {}", rt.backend->LimitsMode());
  spdlog::info("space runtime: storage: {}", rt.backend->StorageMode());
  // Containers outlive a killed hub (podman's conmon keeps them): the ones it left go now.
  for (const auto& name : rt.backend->RemoveStaleContainers()) {
    spdlog::info("space runtime: removed the container {} left by a previous run", name);
  }
  rt.engine = std::make_unique<service::SpaceEngine>(
      hub, *rt.backend, EngineOptions(o, sizes, bo, *rt.backend, hub.options.detected_gpus));
  return Status::Ok();
}

// The cluster must answer now: a hub that accepts jobs it can never submit would only queue them.
Result<std::unique_ptr<runtime::JobBackend>> SlurmBackend(const ServeOptions& o) {
  std::error_code ec;
  if (!o.jobs_slurm_conf.empty() && !std::filesystem::is_regular_file(o.jobs_slurm_conf, ec)) {
    // scontrol would retry a missing file for a minute before saying so.
    return Status::InvalidArgument("--jobs-slurm-conf: " + o.jobs_slurm_conf +
                                   " is not a readable file (the cluster's slurm.conf)");
  }
  runtime::SlurmOptions so;
  so.data_dir = AbsoluteDataDir(o);
  so.slurm_conf = o.jobs_slurm_conf;
  so.partition = o.jobs_slurm_partition;
  so.bin_dir = o.jobs_slurm_bin;
  auto backend = runtime::MakeSlurmJobBackend(so);
  if (!backend.ok()) {
    return Status(
        backend.status().code(),
        "--jobs-backend slurm: " + backend.status().message() +
            " (check --jobs-slurm-conf and --jobs-slurm-bin, or pass --jobs-backend local|none)");
  }
  spdlog::info("jobs: Slurm cluster of {}{}",
               o.jobs_slurm_conf.empty() ? "Slurm's default configuration" : o.jobs_slurm_conf,
               o.jobs_slurm_partition.empty() ? "" : ", partition " + o.jobs_slurm_partition);
  return std::move(*backend);
}

// The jobs' backend and engine (rt.job_backend, rt.jobs), after the Spaces': local jobs run on
// the Spaces' backend, and jobs in a Space's environment find it through the Space engine.
Status BuildJobs(const ServeOptions& o, service::Hub& hub, SpaceRuntime& rt) {
  const bool slurm = o.jobs_backend == "slurm";
  if (slurm) {
    SH_ASSIGN_OR_RETURN(rt.job_backend, SlurmBackend(o));
  } else if (o.jobs_backend == "local" && rt.backend) {
    rt.job_backend = std::make_unique<runtime::LocalJobBackend>(*rt.backend);
  }
  if (!rt.job_backend) return Status::Ok();
  SH_ASSIGN_OR_RETURN(Sizes sizes, ParseSizes(o));
  service::JobEngineOptions jo;
  jo.data_dir = o.data_dir;
  jo.podman = runtime::FindPodman();
  jo.pids_limit = o.space_pids_limit;
  jo.tmp_bytes = sizes.tmp;
  jo.log_cap = sizes.log;
  // A Slurm job runs on a node in a sandbox of its own: the hub's listener inside the job's
  // network exists only for jobs on this machine, and Slurm, not this machine's GPU allocator,
  // gives the node's GPUs (job-exec reads SLURM_JOB_GPUS).
  jo.hub_inside = !slurm;
  jo.hub_places = !slurm;  // the cluster's queue places its jobs, not this machine's limits
  service::GpuAllocator* gpus = !slurm && rt.engine ? &rt.engine->gpus() : nullptr;
  rt.jobs = std::make_unique<service::JobEngine>(hub.WithRuntime(rt.engine.get()), *rt.job_backend,
                                                 rt.engine.get(), gpus, jo);
  return Status::Ok();
}

}  // namespace

Result<SpaceRuntime> BuildSpaceRuntime(const ServeOptions& o, service::Hub& hub) {
  SpaceRuntime rt;
  SH_TRY(BuildSpaces(o, hub, rt));
  SH_TRY(BuildJobs(o, hub, rt));
  return rt;
}

}  // namespace spacehub::cli
