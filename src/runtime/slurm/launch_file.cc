#include "runtime/slurm/launch_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace spacehub::runtime {
namespace {

using nlohmann::json;

json InstanceToJson(const InstanceSpec& s) {
  json j = {{"key", s.key},
            {"app_dir", s.app_dir.string()},
            {"data_dir", s.data_dir.string()},
            {"limits",
             {{"memory_bytes", s.limits.memory_bytes},
              {"cpu_millis", s.limits.cpu_millis},
              {"pids", s.limits.pids}}},
            {"devices", s.devices},
            {"log_path", s.log_path.string()},
            {"argv", s.argv},
            {"env", s.env},
            {"port", s.port},
            {"files", s.files},
            {"ids_base", s.ids.base},
            {"tmp_bytes", s.tmp_bytes},
            {"log_cap", s.log_cap}};
  if (s.volume) {
    j["volume"] = {{"image", s.volume->image.string()},
                   {"mount_point", s.volume->mount_point.string()},
                   {"size_bytes", s.volume->size_bytes}};
  }
  if (s.container) {
    j["container"] = {{"image", s.container->image},
                      {"user", s.container->user},
                      {"store", s.container->store.string()}};
  }
  return j;
}

InstanceSpec InstanceFromJson(const json& j) {
  InstanceSpec s;
  s.key = j.at("key").get<std::string>();
  s.app_dir = j.at("app_dir").get<std::string>();
  s.data_dir = j.at("data_dir").get<std::string>();
  const json& l = j.at("limits");
  s.limits.memory_bytes = l.at("memory_bytes").get<int64_t>();
  s.limits.cpu_millis = l.at("cpu_millis").get<int64_t>();
  s.limits.pids = l.at("pids").get<int64_t>();
  s.devices = j.at("devices").get<std::vector<std::string>>();
  s.log_path = j.at("log_path").get<std::string>();
  s.argv = j.at("argv").get<std::vector<std::string>>();
  s.env = j.at("env").get<EnvList>();
  s.port = j.at("port").get<int>();
  s.files = j.at("files").get<std::vector<std::pair<std::string, std::string>>>();
  s.ids.base = j.at("ids_base").get<uint32_t>();
  s.tmp_bytes = j.at("tmp_bytes").get<int64_t>();
  s.log_cap = j.at("log_cap").get<int64_t>();
  if (j.contains("volume")) {
    const json& v = j["volume"];
    s.volume = VolumeSpec{v.at("image").get<std::string>(), v.at("mount_point").get<std::string>(),
                          v.at("size_bytes").get<int64_t>()};
  }
  if (j.contains("container")) {
    const json& c = j["container"];
    s.container = ContainerSpec{c.at("image").get<std::string>(), c.at("user").get<std::string>(),
                                c.at("store").get<std::string>()};
  }
  return s;
}

}  // namespace

std::string LaunchToJson(const JobLaunch& launch) {
  const JobResources& r = launch.resources;
  json j = {{"version", 1},
            {"job_id", launch.job_id},
            {"instance", InstanceToJson(launch.instance)},
            {"redact", launch.redact},
            {"resources",
             {{"flavor", r.flavor},
              {"cpus", r.cpus},
              {"memory_mb", r.memory_mb},
              {"gpus", r.gpus},
              {"partition", r.partition},
              {"gres", r.gres}}},
            {"timeout_seconds", launch.timeout_seconds}};
  // Invalid UTF-8 in an env value must not make the hub throw: it goes through as replacement
  // characters (the node's command gets what JSON can carry).
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<JobLaunch> LaunchFromJson(std::string_view text) {
  try {
    json j = json::parse(text);
    if (j.at("version").get<int>() != 1) {
      return Status::InvalidArgument("launch file: unknown version (a newer hub wrote it?)");
    }
    JobLaunch launch;
    launch.job_id = j.at("job_id").get<std::string>();
    launch.instance = InstanceFromJson(j.at("instance"));
    launch.redact = j.at("redact").get<std::vector<std::string>>();
    launch.instance.redactor = Redactor(launch.redact);
    const json& r = j.at("resources");
    launch.resources.flavor = r.at("flavor").get<std::string>();
    launch.resources.cpus = r.at("cpus").get<int>();
    launch.resources.memory_mb = r.at("memory_mb").get<int64_t>();
    launch.resources.gpus = r.at("gpus").get<int>();
    launch.resources.partition = r.at("partition").get<std::string>();
    launch.resources.gres = r.at("gres").get<std::string>();
    launch.timeout_seconds = j.at("timeout_seconds").get<int64_t>();
    return launch;
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("launch file: ") + e.what());
  }
}

Status WriteLaunchFile(const std::filesystem::path& path, const JobLaunch& launch) {
  const std::string text = LaunchToJson(launch);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("Cannot create the launch file " + path.string());
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  // The node reads it through a shared filesystem, maybe right after sbatch: on disk first.
  bool ok = done == text.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Status::Internal("Cannot write the launch file " + path.string());
  }
  return Status::Ok();
}

Result<JobLaunch> TakeLaunchFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("No launch file at " + path.string());
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & 077) != 0) {
    ::close(fd);
    return Status::PermissionDenied("The launch file " + path.string() +
                                    " is not a private file of this user; not used");
  }
  std::string text;
  char buf[65536];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  // Deleted before anything runs: the secrets it holds stay on disk no longer than needed.
  ::unlink(path.c_str());
  if (n < 0) return Status::Internal("Cannot read the launch file " + path.string());
  return LaunchFromJson(text);
}

}  // namespace spacehub::runtime
