#include "runtime/podman/podman.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "core/crypto.h"
#include "core/mutex.h"
#include "repo/fs_util.h"
#include "runtime/process.h"

namespace spacehub::runtime {
namespace fs = std::filesystem;
namespace {

// podman's lines (a Dockerfile's RUN may print long ones): longer ones reach the log in pieces.
constexpr size_t kMaxPodmanLine = 64 * 1024;

// Runs argv with stdout+stderr read line by line into `on_line`; SIGKILL after `timeout`.
// Returns the exit code (128+signal when killed).
Result<int> RunLines(const std::vector<std::string>& argv, const EnvList& env,
                     const std::function<void(std::string)>& on_line,
                     std::chrono::seconds timeout) {
  SpawnOptions so;
  so.argv = argv;
  so.env = env;
  so.pipe_output = true;
  SH_ASSIGN_OR_RETURN(auto proc, Spawn(so));
  return proc->ReadLines(kMaxPodmanLine, on_line, std::chrono::steady_clock::now() + timeout, [&] {
    on_line("spacehub: killed after " + std::to_string(timeout.count()) + " s");
  });
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

Mutex default_stores_mu;
std::map<std::string, DefaultStore> default_stores GUARDED_BY(default_stores_mu);

DefaultStore DefaultStoreOf(const fs::path& podman) {
  MutexLock lock(default_stores_mu);
  auto it = default_stores.find(podman.string());
  if (it != default_stores.end()) return it->second;
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
  default_stores[podman.string()] = d;
  return d;
}

Mutex container_stores_mu;
// container name -> its store
std::map<std::string, PodmanStore> container_stores GUARDED_BY(container_stores_mu);

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
  MutexLock lock(container_stores_mu);
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

namespace {

// `podman <store flags> <args>` on the build's store.
class StoreCommand {
 public:
  StoreCommand(const fs::path& podman, const PodmanStore& store)
      : base_(PodmanCommand(podman, store)) {}
  std::vector<std::string> operator()(std::initializer_list<std::string> args) const {
    std::vector<std::string> a = base_;
    a.insert(a.end(), args);
    return a;
  }

 private:
  std::vector<std::string> base_;
};

// The id of the image `tag` names; empty when none.
std::string ImageId(const StoreCommand& cmd, const std::string& tag) {
  auto id =
      RunCapture(cmd({"image", "inspect", "--format", "{{.Id}}", tag}), std::chrono::seconds(30));
  return id.ok() && id->code == 0 ? Trim(id->output) : "";
}

// The secret files (s0, s1...) and the scoped Dockerfile of a build, in its private directory.
Status WriteBuildInputs(const DockerBuildSpec& spec, const fs::path& dir) {
  int i = 0;
  for (const auto& [k, v] : spec.secrets) {
    SH_TRY(WritePrivateFile(dir / ("s" + std::to_string(i++)), v));
  }
  std::ifstream in(spec.context / "Dockerfile", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return WritePrivateFile(dir / "Dockerfile", ScopeDockerfile(text.str(), spec.space_uid));
}

// The command line shown in the log: it names the secrets, never their values or files.
std::string ShownBuildCommand(const DockerBuildSpec& spec) {
  std::string shown = "$ podman build";
  if (spec.no_cache) shown += " --no-cache";
  for (const auto& [k, v] : spec.build_args) shown += " --build-arg " + k;
  for (const auto& [k, v] : spec.secrets) shown += " --secret id=" + k;
  return shown + " --tag " + spec.tag + " .";
}

// Runs `podman build` with its output, redacted, appended to the build log; a failure carries
// the last lines that said something.
Status RunBuild(const DockerBuildSpec& spec, const std::vector<std::string>& argv) {
  std::vector<std::string> values;
  for (const auto& [k, v] : spec.secrets) values.push_back(v);
  Redactor redactor(std::move(values));
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
  if (code == 0) return Status::Ok();
  std::string msg = "podman build failed (exit code " + std::to_string(code) + "):";
  for (const auto& l : tail) msg += "\n" + l;
  return Status::InvalidArgument(msg);
}

// Older images of this Space are no longer needed (one still used by a container stays): the
// image the tag named before a rebuild, and the Space's other tags.
void RemoveOlderImages(const DockerBuildSpec& spec, const StoreCommand& cmd,
                       const std::string& previous) {
  if (!previous.empty()) {
    const std::string now = ImageId(cmd, spec.tag);
    if (!now.empty() && now != previous) {
      (void)RunCapture(cmd({"rmi", previous}), std::chrono::seconds(60));
    }
  }
  const std::string repo = DockerImageRepo(spec.space_uid) + ":";
  auto images = RunCapture(
      cmd({"images", "--noheading", "--filter", "reference=" + DockerImageRepo(spec.space_uid),
           "--format", "{{.Repository}}:{{.Tag}}"}),
      std::chrono::seconds(30));
  if (!images.ok() || images->code != 0) return;
  std::stringstream ss(images->output);
  for (std::string ref; std::getline(ss, ref);) {
    ref = Trim(ref);
    // podman lists every name of a matching image: only this Space's other tags go.
    bool ours = ref.rfind(repo, 0) == 0 || ref.rfind("localhost/" + repo, 0) == 0;
    if (!ours || ref == spec.tag || ref == "localhost/" + spec.tag) continue;
    auto rm = RunCapture(cmd({"rmi", ref}), std::chrono::seconds(60));
    if (rm.ok() && rm->code == 0) AppendLine(spec.log_path, "spacehub: removed the image " + ref);
  }
}

}  // namespace

Status BuildDockerImage(const DockerBuildSpec& spec) {
  SH_TRY(PrepareStore(spec.store));
  const StoreCommand cmd(spec.podman, spec.store);
  SH_ASSIGN_OR_RETURN(fs::path private_dir, MakePrivateDir(spec.scratch, "build-"));
  PrivateDir dir(private_dir);
  SH_TRY(WriteBuildInputs(spec, dir.path()));
  // The image this tag names now (a factory rebuild of the same commit): replaced, so removed.
  const std::string previous = ImageId(cmd, spec.tag);
  AppendLine(spec.log_path, ShownBuildCommand(spec));
  Status built = RunBuild(spec, PodmanBuildArgv(spec, dir.path()));
  if (!built.ok() && IsOverlayMountRace(built.message())) {
    // The failed build container is gone; a new one starts from the layers already cached.
    AppendLine(spec.log_path,
               "spacehub: podman could not mount a build layer (a podman/overlayfs race, not the "
               "Dockerfile); building once more");
    built = RunBuild(spec, PodmanBuildArgv(spec, dir.path()));
  }
  SH_TRY(built);
  RemoveOlderImages(spec, cmd, previous);
  return Status::Ok();
}

bool IsOverlayMountRace(std::string_view podman_output) {
  return podman_output.find("creating overlay mount to ") != std::string_view::npos &&
         podman_output.find("invalid argument") != std::string_view::npos;
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
  // podman reads its env file with Go's bufio.Scanner, which fails the whole run ("token too
  // long") on a line of 64 KiB or more; longer values (run_uv_job's inline script) go through
  // podman's environment instead, with room to spare.
  constexpr size_t kEnvFileLineMax = 32 * 1024;
  ContainerEnv out;
  for (const auto& [k, v] : env) {
    if (v.find('\n') == std::string::npos && v.find('\r') == std::string::npos &&
        k.size() + 1 + v.size() < kEnvFileLineMax) {
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
    MutexLock lock(container_stores_mu);
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
