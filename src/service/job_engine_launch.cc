// The launch of a placed job (job_engine.h): where it runs (a Space's built environment, or a
// local Docker image in the jobs' own podman store), its command, its environment (the variables
// the Hub documents — JOB_ID, ACCELERATOR, CPU_CORES, MEMORY — then the owner's variables and
// secrets, then HF_ENDPOINT toward this hub), the flavor's limits and GPUs, and its log.
#include <system_error>

#include "runtime/podman/podman.h"
#include "service/job_engine.h"
#include "service/job_service.h"
#include "service/space_storage.h"

namespace spacehub::service {

namespace fs = std::filesystem;

Status JobEngine::ImageOf(const JobSpec& spec, runtime::InstanceSpec& instance) {
  if (spec.space_id) {
    if (!spaces_) return Status::Unavailable("this hub runs no Spaces");
    auto slash = spec.space_id->find('/');
    RepoId id{RepoType::kSpace, spec.space_id->substr(0, slash), spec.space_id->substr(slash + 1)};
    Result<db::RepoRow> row = hub_.db.FindRepo(id);
    if (!row.ok()) return Status::NotFound("the Space " + *spec.space_id + " no longer exists");
    SH_ASSIGN_OR_RETURN(SpaceJobEnvironment env, spaces_->JobEnvironment(row->id));
    instance.app_dir = env.app_dir;
    instance.ids = env.ids;
    instance.container = env.container;
    if (!env.container) {
      // The Space's own Python first, as its app has it.
      runtime::SetEnv(instance.env, "PATH", "/app/.venv/bin:/usr/local/bin:/usr/bin:/bin");
      runtime::SetEnv(instance.env, "VIRTUAL_ENV", "/app/.venv");
    }
    return Status::Ok();
  }
  if (options_.podman.empty()) return Status::Unavailable("podman is not installed");
  runtime::ContainerSpec c;
  c.image = *spec.docker_image;
  c.store = fs::absolute(options_.data_dir / "jobs" / "containers");
  SH_TRY(runtime::PrepareStore(runtime::PodmanStore{c.store}));
  if (!runtime::ImageExists(options_.podman, runtime::PodmanStore{c.store}, c.image)) {
    return Status::InvalidArgument("the image '" + c.image + "' is no longer available here");
  }
  SH_ASSIGN_OR_RETURN(instance.ids, backend_.ImageJobIds());
  instance.container = std::move(c);
  return Status::Ok();
}

Result<runtime::JobLaunch> JobEngine::BuildLaunch(const db::JobRow& job) {
  runtime::JobLaunch launch;
  launch.job_id = job.id;
  runtime::InstanceSpec& instance = launch.instance;
  JobSpec spec = SpecFromStored(job.spec);
  SH_ASSIGN_OR_RETURN(auto secrets, JobService::OpenSecrets(hub_, job));

  auto catalog = hub_.hardware.Get();
  const Flavor* flavor = catalog->Find(job.flavor);
  instance.key = "job-" + job.id;
  instance.limits = LimitsForFlavor(flavor, options_.pids_limit);
  instance.tmp_bytes = options_.tmp_bytes;
  instance.log_cap = options_.log_cap;
  const fs::path dir = options_.data_dir / "jobs" / job.id;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Internal("cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, ec);
  instance.log_path = LogPath(job.id);

  instance.env = runtime::BuildSpaceEnv({}, {}, {});  // PATH and HOME
  runtime::SetEnv(instance.env, "JOB_ID", job.id);
  launch.resources.flavor = job.flavor;
  if (flavor) {
    launch.resources.cpus = flavor->vcpu;
    launch.resources.memory_mb = int64_t{flavor->memory_gb} * 1024;
    launch.resources.gpus = flavor->gpu_count;
    if (flavor->slurm) {
      launch.resources.partition = flavor->slurm->partition;
      launch.resources.gres = flavor->slurm->gres;
    }
    runtime::SetEnv(instance.env, "CPU_CORES", std::to_string(flavor->vcpu));
    runtime::SetEnv(instance.env, "MEMORY", std::to_string(flavor->memory_gb) + "Gi");
    std::string accel = flavor->gpu_count > 0 ? flavor->gpu_model : "none";
    for (char& c : accel) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    runtime::SetEnv(instance.env, "ACCELERATOR", accel);
    if (flavor->gpu_count > 0 && gpus_ && gpus_->total() > 0) {
      SH_ASSIGN_OR_RETURN(std::vector<int> got, gpus_->Acquire(instance.key, flavor->gpu_count));
      instance.devices = GpuDeviceNodes(got);
    }
  }
  SH_TRY(ImageOf(spec, instance));
  for (const auto& [k, v] : spec.environment) runtime::SetEnv(instance.env, k, v);
  for (const auto& [k, v] : secrets) runtime::SetEnv(instance.env, k, v);
  if (inside_.add) {
    runtime::SetEnv(instance.env, "HF_ENDPOINT",
                    "http://127.0.0.1:" + std::to_string(inside_.port));
  }
  instance.argv = spec.command;
  instance.argv.insert(instance.argv.end(), spec.arguments.begin(), spec.arguments.end());
  for (const auto& [k, v] : secrets) launch.redact.push_back(v);
  instance.redactor = runtime::Redactor(launch.redact);
  // The backend's own limit, a little above the engine's: the engine stops it first and says why.
  launch.timeout_seconds = job.timeout_seconds > 0 ? job.timeout_seconds + 60 : 0;
  return launch;
}

}  // namespace spacehub::service
