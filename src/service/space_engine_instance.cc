// How the Space engine starts an instance of a built Space (space_engine.h): the flavor's limits
// and GPUs, /data, the Space's host ids, its environment (variables, secrets, HF_ENDPOINT), the
// command per SDK, and the hub's listener inside the instance's network; then its usage record.
#include <cctype>
#include <filesystem>

#include "runtime/process.h"
#include "runtime/streamlit_secrets.h"
#include "service/space_engine.h"

namespace spacehub::service {

namespace fs = std::filesystem;

spacehub::Status SpaceEngine::StartInstance(const db::RepoRow& row,
                                            const db::SpaceSettingsRow& settings, Space& sp) {
  runtime::InstanceSpec spec;
  runtime::SpaceIdentity id;
  SH_TRY(DescribeInstance(row, settings, sp, spec, id));
  std::map<std::string, std::string> secrets;
  SH_TRY(SetEnvironment(row, id, spec, secrets));
  SH_TRY(SetCommand(row, sp, secrets, spec));
  runtime::AppendLine(spec.log_path, std::to_string(clock_.NowMillis()) + " spacehub: starting " +
                                         row.repo.Full() + " (" + sp.built.config.sdk +
                                         ", commit " + sp.state.target_sha.substr(0, 12) + ")");
  SH_TRY(backend_.Start(spec));
  ConnectHubInside(spec);
  OpenUsage(row, spec.key, settings.hardware_current);
  return spacehub::Status::Ok();
}

spacehub::Status SpaceEngine::DescribeInstance(const db::RepoRow& row,
                                               const db::SpaceSettingsRow& settings, Space& sp,
                                               runtime::InstanceSpec& spec,
                                               runtime::SpaceIdentity& id) {
  id.ns = row.repo.ns;
  id.name = row.repo.name;
  id.title = sp.built.config.title;
  id.host_domain = options_.host_domain;
  id.port = static_cast<int>(sp.built.config.app_port);
  auto catalog = hub_.hardware.Get();
  const Flavor* flavor = catalog->Find(
      settings.hardware_current.empty() ? catalog->default_flavor : settings.hardware_current);
  spec.limits = LimitsForFlavor(flavor, options_.pids_limit);
  int gpu_count = 0;
  if (flavor) {
    id.cpu_cores = flavor->vcpu;
    id.memory_gb = flavor->memory_gb;
    if (flavor->gpu_count > 0) {
      id.accelerator = flavor->gpu_model;
      for (char& c : id.accelerator) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      gpu_count = flavor->gpu_count;
    }
  }
  sp.instances.key = std::to_string(row.id) + "-" + std::to_string(++sp.instances.seq);
  spec.key = sp.instances.key;
  // The GPUs of its flavor, when this node has GPUs at all (a GPU flavor the scheduler placed on
  // a node without any, by the administrator's capacity, runs without a device).
  sp.instances.holds_gpus = false;
  if (gpu_count > 0 && gpus_.total() > 0) {
    SH_ASSIGN_OR_RETURN(std::vector<int> gpus, gpus_.Acquire(spec.key, gpu_count));
    spec.devices = GpuDeviceNodes(gpus);
    sp.instances.holds_gpus = true;
  }
  spec.app_dir = sp.built.dir;
  SH_ASSIGN_OR_RETURN(SpaceData data, PrepareSpaceData(SpaceDir(row.uid), settings.storage,
                                                       options_.storage_tiers));
  // As on the Hub, /data exists only with persistent storage: without a tier, nothing the app
  // writes outlives it, and what it writes (/tmp, $HOME) is bounded by its memory.
  if (data.volume) spec.data_dir = data.dir;
  spec.volume = data.volume;
  SH_ASSIGN_OR_RETURN(spec.ids, backend_.SpaceIds(row.uid));
  spec.tmp_bytes = options_.tmp_bytes;
  spec.log_cap = options_.run_log_cap;
  spec.log_path = LogPath(row.uid, /*build=*/false);
  std::error_code ec;
  fs::create_directories(spec.log_path.parent_path(), ec);
  spec.port = id.port;
  return spacehub::Status::Ok();
}

spacehub::Status SpaceEngine::SetEnvironment(const db::RepoRow& row,
                                             const runtime::SpaceIdentity& id,
                                             runtime::InstanceSpec& spec,
                                             std::map<std::string, std::string>& secrets) {
  std::map<std::string, std::string> variables;
  SH_ASSIGN_OR_RETURN(auto vars, hub_.db.ListSpaceEntries(row.id, db::SpaceEntryKind::kVariable));
  for (auto& v : vars) variables[v.key] = v.value;
  SH_ASSIGN_OR_RETURN(secrets, spaces_.SecretEnvironment(row));
  spec.env = runtime::BuildSpaceEnv(id, variables, secrets);
  if (inside_.add) {
    spec.env.emplace_back("HF_ENDPOINT",
                          "http://127.0.0.1:" + std::to_string(HubInsidePort(id.port)));
  }
  std::vector<std::string> values;
  values.reserve(secrets.size());
  for (auto& [k, v] : secrets) values.push_back(v);
  spec.redactor = runtime::Redactor(std::move(values));
  return spacehub::Status::Ok();
}

spacehub::Status SpaceEngine::SetCommand(const db::RepoRow& row, const Space& sp,
                                         const std::map<std::string, std::string>& secrets,
                                         runtime::InstanceSpec& spec) {
  const SpaceConfig& config = sp.built.config;
  const std::string python = "/app/.venv/bin/python";
  if (config.sdk == "docker") return DockerInstance(row, sp, spec);
  if (config.sdk == "streamlit") {
    spec.files.emplace_back(runtime::kStreamlitSecretsPath, runtime::StreamlitSecretsToml(secrets));
    spec.argv = {python,
                 "-m",
                 "streamlit",
                 "run",
                 config.app_file,
                 "--server.port",
                 std::to_string(spec.port),
                 "--server.address",
                 "0.0.0.0"};
    return spacehub::Status::Ok();
  }
  spec.argv = {python, config.app_file};
  return spacehub::Status::Ok();
}

void SpaceEngine::ConnectHubInside(const runtime::InstanceSpec& spec) {
  if (!inside_.add) return;
  // The hub inside the Space's own network; a Space that cannot have it still runs.
  Result<int> fd = backend_.ListenInside(spec.key, HubInsidePort(spec.port));
  Result<int> listener = fd.ok() ? inside_.add(*fd) : fd.status();
  if (listener.ok()) {
    inside_listeners_[spec.key] = *listener;
  } else {
    runtime::AppendLine(spec.log_path, std::to_string(clock_.NowMillis()) +
                                           " spacehub: HF_ENDPOINT is not reachable inside: " +
                                           listener.status().message());
  }
}

}  // namespace spacehub::service
