#include "runtime/podman/podman.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>

#include "core/crypto.h"
#include "repo/fs_util.h"
#include "runtime/process.h"

namespace spacehub::runtime {
namespace fs = std::filesystem;
namespace {

// Runs argv with stdout+stderr read line by line into `on_line`; SIGKILL after `timeout`.
// Returns the exit code (128+signal when killed).
Result<int> RunLines(const std::vector<std::string>& argv, const EnvList& env,
                     const std::function<void(const std::string&)>& on_line,
                     std::chrono::seconds timeout) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
  SpawnOptions so;
  so.argv = argv;
  so.env = env;
  so.stdout_fd = out[1];
  auto pid = Spawn(so);
  ::close(out[1]);
  if (!pid.ok()) {
    ::close(out[0]);
    return pid.status();
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool killed = false;
  std::string pending;
  char buf[8192];
  for (;;) {
    pollfd p{out[0], POLLIN, 0};
    int rc = ::poll(&p, 1, 200);
    if (rc < 0 && errno != EINTR) break;
    if (!killed && std::chrono::steady_clock::now() > deadline) {
      ::kill(*pid, SIGKILL);
      killed = true;
      on_line("spacehub: killed after " + std::to_string(timeout.count()) + " s");
    }
    if (rc <= 0) continue;
    ssize_t n = ::read(out[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      on_line(line);
      pending.erase(0, nl + 1);
    }
  }
  if (!pending.empty()) on_line(pending);
  ::close(out[0]);
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

// A private directory removed (with its content) on destruction.
class PrivateDir {
 public:
  explicit PrivateDir(fs::path path) : path_(std::move(path)) {}
  ~PrivateDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Status WritePrivateFileImpl(const fs::path& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("Cannot create " + path.string());
  Status st = repo::fs::WriteAll(fd, content, path);
  ::close(fd);
  return st;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Names podman, its libraries or the dynamic loader read from their environment.
constexpr std::array<const char*, 13> kPodmanEnvPrefixes = {
    "CONTAINER", "PODMAN", "BUILDAH", "STORAGE", "REGISTRIES", "XDG_",       "LD_",
    "TMPDIR",    "HOME",   "PATH",    "DBUS",    "NOTIFY",     "_CONTAINERS"};

bool SteersPodman(const std::string& name) {
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* p : kPodmanEnvPrefixes) {
    if (upper.rfind(p, 0) == 0) return true;
  }
  return upper.find("PROXY") != std::string::npos;
}

}  // namespace

EnvList PodmanEnv(const PodmanStore& store) {
  const char* home = std::getenv("HOME");
  EnvList env = {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                 {"HOME", home ? home : "/root"},
                 {"LANG", "C.UTF-8"}};
  if (!store.root.empty()) env.emplace_back("TMPDIR", (store.root / "tmp").string());
  return env;
}

PodmanStore SpacePodmanStore(const fs::path& spaces_root, const std::string& space_uid) {
  std::error_code ec;
  fs::path abs = fs::weakly_canonical(fs::absolute(spaces_root, ec), ec);
  return {(ec ? spaces_root : abs) / space_uid / "containers"};
}

fs::path PodmanRunRoot(const PodmanStore& store) {
  return fs::path("/run/spacehub") / Sha256Hex(store.root.string()).substr(0, 16);
}

namespace {

// Where podman's default store is and which driver it uses: the read-only image store every
// Space's own store sees (base images). Asked once per podman binary.
struct DefaultStore {
  std::string graph_root = "/var/lib/containers/storage";
  std::string driver = "overlay";
};

DefaultStore DefaultStoreOf(const fs::path& podman) {
  static std::mutex mu;
  static std::map<std::string, DefaultStore> known;
  std::lock_guard lock(mu);
  auto it = known.find(podman.string());
  if (it != known.end()) return it->second;
  DefaultStore d;
  auto r = RunCapture(
      {podman.string(), "info", "--format", "{{.Store.GraphRoot}}\n{{.Store.GraphDriverName}}"},
      std::chrono::seconds(60));
  if (r.ok() && r->code == 0) {
    std::stringstream ss(r->output);
    std::string root, driver;
    if (std::getline(ss, root) && std::getline(ss, driver) && !root.empty() && !driver.empty()) {
      d.graph_root = root;
      d.driver = driver;
    }
  }
  known[podman.string()] = d;
  return d;
}

std::mutex container_stores_mu;
std::map<std::string, PodmanStore> container_stores;  // container name -> its store

}  // namespace

std::vector<std::string> PodmanStoreFlags(const fs::path& podman, const PodmanStore& store) {
  if (store.root.empty()) return {};
  const DefaultStore d = DefaultStoreOf(podman);
  std::vector<std::string> a = {"--root",           (store.root / "storage").string(),
                                "--runroot",        PodmanRunRoot(store).string(),
                                "--tmpdir",         (store.root / "libpod").string(),
                                "--storage-driver", d.driver};
  // Base images: the default store, read-only (absent until podman was first used).
  std::error_code ec;
  if (fs::is_directory(d.graph_root, ec)) {
    a.insert(a.end(), {"--storage-opt", d.driver + ".imagestore=" + d.graph_root});
  }
  if (d.driver == "overlay") {
    // No private bind mount of the store onto itself (it would outlive podman and keep the
    // Space's directory from being removed); layers mounted nodev.
    a.insert(a.end(), {"--storage-opt", "overlay.skip_mount_home=true", "--storage-opt",
                       "overlay.mountopt=nodev"});
  }
  return a;
}

std::vector<std::string> PodmanCommand(const fs::path& podman, const PodmanStore& store) {
  std::vector<std::string> a = {podman.string()};
  auto flags = PodmanStoreFlags(podman, store);
  a.insert(a.end(), flags.begin(), flags.end());
  return a;
}

Status PrepareStore(const PodmanStore& store) {
  if (store.root.empty()) return Status::Ok();
  std::error_code ec;
  for (const fs::path& d :
       {store.root / "storage", store.root / "libpod", store.root / "tmp", PodmanRunRoot(store)}) {
    fs::create_directories(d, ec);
    if (ec) return Status::Internal("Cannot create " + d.string() + ": " + ec.message());
    fs::permissions(d, fs::perms::owner_all, ec);
  }
  fs::permissions(store.root, fs::perms::owner_all, ec);
  fs::permissions(PodmanRunRoot(store).parent_path(), fs::perms::owner_all, ec);
  return Status::Ok();
}

void RememberContainerStore(const std::string& name, const PodmanStore& store) {
  std::lock_guard lock(container_stores_mu);
  container_stores[name] = store;
}

std::string ContainerName(const std::string& hub_tag, const std::string& key) {
  return "spacehub-" + hub_tag + "-" + key;
}

Status WritePrivateFile(const fs::path& path, const std::string& content) {
  return WritePrivateFileImpl(path, content);
}

fs::path PodmanScratchDir(const fs::path& data_dir) { return data_dir / "tmp" / "podman"; }

Status ResetScratchDir(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return Status::Internal("Cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, ec);
  return Status::Ok();
}

Result<fs::path> MakePrivateDir(const fs::path& scratch, const std::string& prefix) {
  std::error_code ec;
  if (!fs::exists(scratch, ec)) SH_TRY(ResetScratchDir(scratch));
  std::string tmpl = (scratch / (prefix + "XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return Status::Internal("Cannot create a private directory in " + scratch.string());
  }
  return fs::path(tmpl);
}

fs::path FindPodman() {
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (dir.empty()) continue;
      fs::path candidate = fs::path(dir) / "podman";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  if (::access("/usr/bin/podman", X_OK) == 0) return "/usr/bin/podman";
  return {};
}

std::string HubTag(const fs::path& data_dir) {
  std::error_code ec;
  fs::path abs = fs::weakly_canonical(data_dir, ec);
  std::string s = (ec ? data_dir : abs).string();
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a (64-bit)
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char out[17];
  std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(h));
  return {out, 10};
}

std::string DockerImageRepo(const std::string& space_uid) { return "spacehub/" + space_uid; }

std::string DockerImageTag(const std::string& space_uid, const std::string& sha) {
  return DockerImageRepo(space_uid) + ":" + sha.substr(0, 12);
}

std::vector<std::string> PodmanHostFlags() {
  return {"--runtime", "runc", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"};
}

std::string ScopeDockerfile(const std::string& text, const std::string& scope) {
  // The escape character may be changed by a parser directive at the top (`# escape=``).
  char escape = '\\';
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) lines.push_back(line);
  for (const auto& l : lines) {
    if (l.empty() || l[0] != '#') break;
    std::string d = l.substr(1);
    std::erase_if(d, [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
    for (char& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (d.rfind("escape=", 0) == 0 && d.size() > 7) escape = d[7];
  }
  auto continues = [&](std::string l) {
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) l.pop_back();
    return !l.empty() && l.back() == escape;
  };
  std::string out;
  bool in_continuation = false;
  bool in_from = false;
  for (const auto& l : lines) {
    out += l + "\n";
    size_t first = l.find_first_not_of(" \t");
    if (first != std::string::npos && l[first] == '#') continue;  // a comment (or directive)
    bool starts_from = false;
    if (!in_continuation) {
      size_t p = l.find_first_not_of(" \t");
      if (p != std::string::npos && l.size() >= p + 5) {
        std::string word = l.substr(p, 4);
        for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        starts_from = word == "FROM" && (l[p + 4] == ' ' || l[p + 4] == '\t');
      }
    }
    if (starts_from) in_from = true;
    in_continuation = continues(l);
    if (in_from && !in_continuation) {
      out += std::string("ARG ") + kCacheScopeArg + "=" + scope + "\n";
      in_from = false;
    }
  }
  return out;
}

std::vector<std::string> PodmanBuildArgv(const DockerBuildSpec& spec, const fs::path& secret_dir) {
  std::vector<std::string> a = PodmanCommand(spec.podman, spec.store);
  a.emplace_back("build");
  auto host = PodmanHostFlags();
  a.insert(a.end(), host.begin(), host.end());
  // No registry, no package index: the build has no network (a base image must be local).
  a.insert(a.end(), {"--network", "none", "--pull=never", "--force-rm", "--layers"});
  if (spec.no_cache) a.emplace_back("--no-cache");
  for (const auto& [k, v] : spec.build_args) {
    a.emplace_back("--build-arg");
    a.push_back(k);
    a.back().append("=").append(v);
  }
  int i = 0;
  for (const auto& [k, v] : spec.secrets) {
    a.insert(a.end(), {"--secret",
                       "id=" + k + ",src=" + (secret_dir / ("s" + std::to_string(i++))).string()});
  }
  a.insert(a.end(), {"--tag", spec.tag, "--file", (secret_dir / "Dockerfile").string(),
                     spec.context.string()});
  return a;
}

Status BuildDockerImage(const DockerBuildSpec& spec) {
  std::vector<std::string> values;
  for (const auto& [k, v] : spec.secrets) values.push_back(v);
  Redactor redactor(std::move(values));
  SH_TRY(PrepareStore(spec.store));
  const std::vector<std::string> podman = PodmanCommand(spec.podman, spec.store);
  auto cmd = [&](std::initializer_list<std::string> args) {
    std::vector<std::string> a = podman;
    a.insert(a.end(), args);
    return a;
  };
  SH_ASSIGN_OR_RETURN(fs::path private_dir, MakePrivateDir(spec.scratch, "build-"));
  PrivateDir dir(private_dir);
  int i = 0;
  for (const auto& [k, v] : spec.secrets) {
    SH_TRY(WritePrivateFile(dir.path() / ("s" + std::to_string(i++)), v));
  }
  std::ifstream in(spec.context / "Dockerfile", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  SH_TRY(WritePrivateFile(dir.path() / "Dockerfile", ScopeDockerfile(text.str(), spec.space_uid)));
  // The image this tag names now (a factory rebuild of the same commit): replaced, so removed.
  std::string previous;
  if (auto id = RunCapture(cmd({"image", "inspect", "--format", "{{.Id}}", spec.tag}),
                           std::chrono::seconds(30));
      id.ok() && id->code == 0) {
    previous = Trim(id->output);
  }
  auto argv = PodmanBuildArgv(spec, dir.path());
  // The command line shown in the log names the secrets, never their values or files.
  std::string shown = "$ podman build";
  if (spec.no_cache) shown += " --no-cache";
  for (const auto& [k, v] : spec.build_args) shown += " --build-arg " + k;
  for (const auto& [k, v] : spec.secrets) shown += " --secret id=" + k;
  shown += " --tag " + spec.tag + " .";
  AppendLine(spec.log_path, shown);

  std::ofstream log(spec.log_path, std::ios::app);
  std::deque<std::string> tail;
  auto on_line = [&](const std::string& raw) {
    std::string line = redactor.Apply(raw);
    log << line << '\n';
    log.flush();
    if (line.find_first_not_of(" \t") == std::string::npos) return;
    tail.push_back(std::move(line));
    if (tail.size() > 10) tail.pop_front();
  };
  SH_ASSIGN_OR_RETURN(int code, RunLines(argv, PodmanEnv(spec.store), on_line, spec.timeout));
  log.close();
  if (code != 0) {
    std::string msg = "podman build failed (exit code " + std::to_string(code) + "):";
    for (const auto& l : tail) msg += "\n" + l;
    return Status::InvalidArgument(msg);
  }
  // Older images of this Space are no longer needed (one still used by a container stays).
  if (!previous.empty()) {
    auto now = RunCapture(cmd({"image", "inspect", "--format", "{{.Id}}", spec.tag}),
                          std::chrono::seconds(30));
    if (now.ok() && now->code == 0 && Trim(now->output) != previous) {
      (void)RunCapture(cmd({"rmi", previous}), std::chrono::seconds(60));
    }
  }
  auto images = RunCapture(
      cmd({"images", "--noheading", "--filter", "reference=" + DockerImageRepo(spec.space_uid),
           "--format", "{{.Repository}}:{{.Tag}}"}),
      std::chrono::seconds(30));
  if (images.ok() && images->code == 0) {
    std::stringstream ss(images->output);
    std::string ref;
    while (std::getline(ss, ref)) {
      ref = Trim(ref);
      // podman lists every name of a matching image: only this Space's other tags go.
      std::string repo = DockerImageRepo(spec.space_uid) + ":";
      bool ours = ref.rfind(repo, 0) == 0 || ref.rfind("localhost/" + repo, 0) == 0;
      if (!ours || ref == spec.tag || ref == "localhost/" + spec.tag) continue;
      auto rm = RunCapture(cmd({"rmi", ref}), std::chrono::seconds(60));
      if (rm.ok() && rm->code == 0) AppendLine(spec.log_path, "spacehub: removed the image " + ref);
    }
  }
  return Status::Ok();
}

bool ImageExists(const fs::path& podman, const PodmanStore& store, const std::string& tag) {
  auto a = PodmanCommand(podman, store);
  a.insert(a.end(), {"image", "exists", tag});
  auto r = RunCapture(a, std::chrono::seconds(30));
  return r.ok() && r->code == 0;
}

std::string ImageUser(const fs::path& podman, const PodmanStore& store, const std::string& tag) {
  auto a = PodmanCommand(podman, store);
  a.insert(a.end(), {"image", "inspect", "--format", "{{.Config.User}}", tag});
  auto r = RunCapture(a, std::chrono::seconds(30));
  if (!r.ok() || r->code != 0) return "";
  return Trim(r->output);
}

std::vector<std::string> PodmanRunArgv(const ContainerRunSpec& spec) {
  std::vector<std::string> a = PodmanCommand(spec.podman, spec.store);
  a.emplace_back("run");
  auto host = PodmanHostFlags();
  a.insert(a.end(), host.begin(), host.end());
  a.insert(a.end(),
           {"--rm", "--name", spec.name, "--label", std::string(kHubLabel) + "=" + spec.hub_tag,
            "--network", "none", "--hostname", "space", "--cap-drop", "ALL", "--security-opt",
            "no-new-privileges", "--pull=never", "--stop-timeout", "3"});
  if (spec.ids.set()) {
    // The container's whole user namespace is the Space's host block: its root is no host
    // account, its uid 1000 the Space's own host uid.
    const std::string map =
        "0:" + std::to_string(spec.ids.base) + ":" + std::to_string(kHostIdBlock);
    a.insert(a.end(), {"--uidmap", map, "--gidmap", map});
  }
  if (!spec.user.empty()) a.insert(a.end(), {"--user", spec.user});
  if (!spec.data_dir.empty()) a.insert(a.end(), {"--volume", spec.data_dir.string() + ":/data"});
  if (!spec.env_file.empty()) a.insert(a.end(), {"--env-file", spec.env_file.string()});
  for (const auto& name : spec.passthrough_env) a.insert(a.end(), {"--env", name});
  if (!spec.pidfile.empty()) a.insert(a.end(), {"--pidfile", spec.pidfile.string()});
  // The flavor's limits, enforced by the container's own cgroup (as a sandbox's are by its one).
  if (spec.limits.memory_bytes > 0) {
    const std::string bytes = std::to_string(spec.limits.memory_bytes) + "b";
    a.insert(a.end(), {"--memory", bytes, "--memory-swap", bytes});
  }
  if (spec.limits.cpu_millis > 0) {
    a.insert(a.end(), {"--cpus", std::to_string(spec.limits.cpu_millis / 1000) + "." +
                                     std::to_string(spec.limits.cpu_millis % 1000 / 100)});
  }
  if (spec.limits.pids > 0) a.insert(a.end(), {"--pids-limit", std::to_string(spec.limits.pids)});
  for (const auto& d : spec.devices) {
    std::error_code ec;
    if (std::filesystem::exists(d, ec)) a.insert(a.end(), {"--device", d});
  }
  a.push_back(spec.image);
  a.insert(a.end(), spec.argv.begin(), spec.argv.end());
  return a;
}

ContainerEnv SplitContainerEnv(const EnvList& env) {
  ContainerEnv out;
  for (const auto& [k, v] : env) {
    if (v.find('\n') == std::string::npos && v.find('\r') == std::string::npos) {
      out.file_text.append(k).append("=").append(v).append("\n");
    } else if (SteersPodman(k)) {
      out.dropped.push_back(k);
    } else {
      out.passthrough.emplace_back(k, v);
    }
  }
  return out;
}

std::vector<std::string> RemoveHubContainers(const fs::path& podman, const PodmanStore& store,
                                             const std::string& hub_tag) {
  std::vector<std::string> names;
  const std::vector<std::string> base = PodmanCommand(podman, store);
  std::vector<std::string> ps = base;
  ps.insert(ps.end(),
            {"ps", "--all", "--noheading", "--filter",
             "label=" + std::string(kHubLabel) + "=" + hub_tag, "--format", "{{.Names}}"});
  auto r = RunCapture(ps, std::chrono::seconds(60));
  if (!r.ok() || r->code != 0) return names;
  std::stringstream ss(r->output);
  std::string name;
  while (std::getline(ss, name)) {
    name = Trim(name);
    if (!name.empty()) names.push_back(name);
  }
  if (names.empty()) return names;
  std::vector<std::string> rm = base;
  rm.insert(rm.end(), {"rm", "--force", "--ignore", "--time", "0"});
  rm.insert(rm.end(), names.begin(), names.end());
  (void)RunCapture(rm, std::chrono::seconds(120));
  return names;
}

void RemoveContainer(const fs::path& podman, const std::string& name, std::chrono::seconds grace) {
  PodmanStore store;
  {
    std::lock_guard lock(container_stores_mu);
    if (auto it = container_stores.find(name); it != container_stores.end()) store = it->second;
  }
  auto a = PodmanCommand(podman, store);
  a.insert(a.end(), {"rm", "--force", "--ignore", "--time", std::to_string(grace.count()), name});
  (void)RunCapture(a, grace + std::chrono::seconds(60));
}

Result<CommandOutput> RunCapture(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                                 const EnvList& env) {
  CommandOutput out;
  auto code = RunLines(
      argv, env, [&](const std::string& line) { out.output.append(line).append("\n"); }, timeout);
  if (!code.ok()) return code.status();
  out.code = *code;
  return out;
}

}  // namespace spacehub::runtime
