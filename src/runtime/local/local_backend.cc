#include "runtime/local/local_backend.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "core/thread_name.h"
#include "core/time_util.h"
#include "runtime/podman/podman.h"
#include "runtime/process.h"
#include "runtime/rotating_log.h"
#include "runtime/sandbox.h"

namespace spacehub::runtime {
namespace {

constexpr size_t kKeepLines = 50;
constexpr size_t kMaxLine = 16 * 1024;
constexpr std::chrono::seconds kSandboxEofWait{10};
constexpr std::chrono::seconds kContainerEofWait{60};

// Parses {"child-pid": N} from bwrap's info fd.
pid_t ParseChildPid(const std::string& info) {
  auto pos = info.find("\"child-pid\"");
  if (pos == std::string::npos) return -1;
  pos = info.find(':', pos);
  if (pos == std::string::npos) return -1;
  return static_cast<pid_t>(std::strtol(info.c_str() + pos + 1, nullptr, 10));
}

// Creates a TCP socket inside the network namespace of `ns_pid`. Runs on its own thread: setns
// changes only the calling thread, and that thread ends right after. The socket keeps the namespace
// it was made in, so the caller may bind, listen or connect it from any thread.
Result<int> SocketInNamespace(pid_t ns_pid) {
  Result<int> out = Status(Code::kUnavailable, "the Space's network namespace is gone");
  std::thread t([&] {
    std::string ns = "/proc/" + std::to_string(ns_pid) + "/ns/net";
    int nsfd = ::open(ns.c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) return;
    // Only the network namespace of this thread moves (allowed in a threaded process).
    if (::setns(nsfd, CLONE_NEWNET) != 0) {
      out = Status(Code::kUnavailable, std::string("setns: ") + std::strerror(errno));
      ::close(nsfd);
      return;
    }
    ::close(nsfd);
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) {
      out = Status(Code::kInternal, std::string("socket: ") + std::strerror(errno));
      return;
    }
    out = s;
  });
  t.join();
  return out;
}

// A pipe whose read end yields `content` then EOF (content must fit the pipe buffer, 64 KiB).
Result<int> ContentPipe(const std::string& content) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
  if (content.size() > 60 * 1024 ||
      ::write(p[1], content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
    ::close(p[0]);
    ::close(p[1]);
    return Status::InvalidArgument("an instance file is too large for the sandbox");
  }
  ::close(p[1]);
  return p[0];
}

// Everything a pipe yields until EOF; closes it.
std::string ReadToEnd(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fd);
  return out;
}

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Connects a non-blocking socket made in the namespace of `ns_pid` to 127.0.0.1:port there,
// waiting at most `timeout_ms` for the handshake (loopback: refused or accepted at once).
// timeout_ms 0: returns a connection still under way (EINPROGRESS) for the caller to wait on.
Result<int> ConnectInNamespace(pid_t ns_pid, int port, int timeout_ms) {
  SH_ASSIGN_OR_RETURN(int s, SocketInNamespace(ns_pid));
  sockaddr_in addr = Loopback(port);
  int rc = ::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  int err = rc == 0 ? 0 : errno;
  if (err == EINPROGRESS && timeout_ms == 0) return s;
  if (err == EINPROGRESS) {
    pollfd p{s, POLLOUT, 0};
    err = ETIMEDOUT;
    if (::poll(&p, 1, timeout_ms) == 1) {
      socklen_t len = sizeof(err);
      ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
    }
  }
  if (err != 0) {
    ::close(s);
    return Status(Code::kUnavailable,
                  std::string("the app does not accept connections: ") + std::strerror(err));
  }
  return s;
}

// "memory 1024 MiB, 2.0 CPU, 1024 processes" for the run log.
std::string DescribeLimits(const Limits& l) {
  std::string s = l.memory_bytes > 0 ? "memory " + std::to_string(l.memory_bytes >> 20) + " MiB"
                                     : "no memory limit";
  s += l.cpu_millis > 0 ? ", " + std::to_string(l.cpu_millis / 1000) + "." +
                              std::to_string(l.cpu_millis % 1000 / 100) + " CPU"
                        : ", no CPU limit";
  s += l.pids > 0 ? ", " + std::to_string(l.pids) + " processes" : ", no process limit";
  return s;
}

// Gives `uid` everything below `dir` (itself included) without following links, so that a Space's
// own files belong to it; cheap when it already owns `dir` (checked first).
Status HandTo(const std::filesystem::path& dir, uint32_t uid) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return Status::Internal("Cannot stat " + dir.string());
  if (st.st_uid == uid && st.st_gid == uid) return Status::Ok();
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    (void)!::lchown(it->path().c_str(), uid, uid);
  }
  if (::lchown(dir.c_str(), uid, uid) != 0 || ::chmod(dir.c_str(), 0700) != 0) {
    return Status::Internal("Cannot hand " + dir.string() + " to the Space's uid");
  }
  return Status::Ok();
}

// Lets the Space's uid pass through (not list) each directory from `dir`'s parent up to `top`, so
// bwrap, started as that uid, can bind `dir`; other accounts still cannot find anything there.
void Traversable(const std::filesystem::path& dir, const std::filesystem::path& top) {
  for (auto p = dir.parent_path(); !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && !(st.st_mode & S_IXOTH)) {
      ::chmod(p.c_str(), (st.st_mode & 07777) | S_IXOTH);
    }
    if (p == top || p == p.parent_path()) break;
  }
}

}  // namespace

LocalBackend::LocalBackend(LocalBackendOptions options) : options_(std::move(options)) {
  if (options_.limits) {
    cgroups_ = Cgroups::Open(options_.cgroups);
    // A hub killed with -9 leaves its cgroups (their processes died with the hub): nothing of
    // this hub runs yet, so every cgroup of its tree is a leftover.
    if (cgroups_->enabled()) cgroups_cleaned_ = cgroups_->RemoveAll();
  }
  if (!options_.volumes.root.empty()) volumes_ = std::make_unique<Volumes>(options_.volumes);
  if (options_.own_ids && ::geteuid() == 0 && !options_.volumes.root.empty()) {
    HostIdOptions io;
    io.root = options_.volumes.root;
    io.first_base = options_.first_uid_base;
    ids_ = std::make_unique<HostIdAllocator>(io);
    // Space uids pass through the data directory and spaces/ (never list them) to their own.
    std::error_code ec;
    std::filesystem::create_directories(options_.volumes.root, ec);
    Traversable(options_.volumes.root / ".", options_.volumes.root.parent_path());
  }
}

Status LocalBackend::CheckReachable(const std::filesystem::path& top) {
  if (::geteuid() != 0) return Status::Ok();
  for (auto p = top.parent_path(); !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || !(st.st_mode & S_IXOTH)) {
      return Status::Unavailable("Spaces run as their own host uids, which must pass through " +
                                 p.string() + " to reach their directories below " + top.string() +
                                 ": allow it (chmod o+x " + p.string() +
                                 ") or choose a data directory elsewhere (e.g. /var/lib/spacehub)");
    }
    if (p == p.parent_path()) break;
  }
  return Status::Ok();
}

Result<HostIds> LocalBackend::SpaceIds(const std::string& space_uid) {
  if (!ids_) return HostIds{};
  return ids_->ForSpace(space_uid);
}

LocalBackend::~LocalBackend() {
  std::map<std::string, std::unique_ptr<Instance>> all;
  {
    MutexLock lock(mu_);
    all.swap(instances_);
  }
  for (auto& [key, inst] : all) Release(key, *inst);
}

std::string LocalBackend::LimitsMode() const {
  if (!cgroups_) return "no limits (switched off)";
  std::string s = cgroups_->Describe();
  if (cgroups_cleaned_ > 0) {
    s += "; removed " + std::to_string(cgroups_cleaned_) + " cgroup(s) left by a previous run";
  }
  return s;
}

std::string LocalBackend::StorageMode() const {
  if (!volumes_) return "/data as plain directories (no storage tiers)";
  std::string s = volumes_->Describe();
  if (volumes_->leftovers_unmounted() > 0) {
    s += "; unmounted " + std::to_string(volumes_->leftovers_unmounted()) +
         " volume(s) left mounted by a previous run";
  }
  return s;
}

void LocalBackend::Release(const std::string& key, Instance& inst) {
  Terminate(inst, options_.stop_grace);
  if (inst.has_cgroup && cgroups_) cgroups_->Remove(key);
  if (inst.volume && volumes_) volumes_->Detach(*inst.volume);
}

std::filesystem::path LocalBackend::FindBwrap() {
  if (const char* path = std::getenv("PATH")) {
    std::string p = path;
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find(':', start);
      if (end == std::string::npos) end = p.size();
      std::filesystem::path candidate =
          std::filesystem::path(p.substr(start, end - start)) / "bwrap";
      if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
      start = end + 1;
    }
  }
  if (::access("/usr/bin/bwrap", X_OK) == 0) return "/usr/bin/bwrap";
  return {};
}

Status LocalBackend::Start(const InstanceSpec& spec) {
  Stop(spec.key);
  if (spec.container) return StartContainerWithVolume(spec);
  auto inst = std::make_unique<Instance>();
  // Undoes what was set up when the start fails half-way.
  auto undo = [&](Status st) {
    if (inst->has_cgroup) cgroups_->Remove(spec.key);
    if (inst->volume) volumes_->Detach(*inst->volume);
    return st;
  };
  if (spec.volume && volumes_) {
    SH_TRY(volumes_->Attach(*spec.volume, spec.log_path));
    inst->volume = spec.volume;
  }
  SandboxSpec sb;
  SpawnOptions so;
  if (Status st = RunAsSpace(spec, so); !st.ok()) return undo(st);
  if (Status st = LimitInstance(spec, *inst, sb, so); !st.ok()) return undo(st);
  auto proc = SpawnSandbox(spec, sb, so);
  if (!proc.ok()) return undo(proc.status());
  inst->proc = std::move(proc->proc);
  inst->port = spec.port;
  inst->started_at = NowMillis();
  Instance* raw = inst.get();
  inst->pump = std::thread(&LocalBackend::Pump, raw, proc->info_fd, spec);
  MutexLock lock(mu_);
  instances_[spec.key] = std::move(inst);
  return Status::Ok();
}

Status LocalBackend::StartContainerWithVolume(const InstanceSpec& spec) {
  // A container gets its sized /data like a sandbox; the filesystem's root then belongs to the
  // container's user (uid 1000 unless the image names its own).
  if (spec.volume && volumes_) {
    SH_TRY(volumes_->Attach(*spec.volume, spec.log_path));
    if (spec.container->user == "1000" && ::chown(spec.data_dir.c_str(), 1000, 1000) != 0) {
      volumes_->Detach(*spec.volume);
      return Status::Internal("Cannot hand /data to uid 1000");
    }
  }
  Status st = StartContainer(spec);
  if (!st.ok() && spec.volume && volumes_) volumes_->Detach(*spec.volume);
  return st;
}

Status LocalBackend::RunAsSpace(const InstanceSpec& spec, SpawnOptions& so) {
  if (!spec.ids.set()) return Status::Ok();
  // The app runs as the Space's own unprivileged host uid; what it reads and writes is its own.
  const uint32_t uid = spec.ids.app_uid();
  so.uid = so.gid = uid;
  const std::filesystem::path top = options_.volumes.root.parent_path();
  SH_TRY(HandTo(spec.app_dir, uid));
  if (!spec.data_dir.empty()) SH_TRY(HandTo(spec.data_dir, uid));
  Traversable(spec.app_dir, top);
  if (!spec.data_dir.empty()) Traversable(spec.data_dir, top);
  return Status::Ok();
}

Status LocalBackend::LimitInstance(const InstanceSpec& spec, Instance& inst, SandboxSpec& sb,
                                   SpawnOptions& so) {
  if (!cgroups_ || !cgroups_->enabled() || !spec.limits.any()) return Status::Ok();
  auto joins = cgroups_->Create(spec.key, spec.limits);
  inst.has_cgroup = true;
  inst.cpu_limit_millis = spec.limits.cpu_millis;
  if (!joins.ok()) return joins.status();
  so.join_cgroups = *joins;
  sb.ro_mounts = cgroups_->Views(spec.key);
  AppendLine(spec.log_path,
             std::to_string(NowMillis()) + " spacehub: limits " + DescribeLimits(spec.limits));
  Cgroups* cg = cgroups_.get();
  std::string key = spec.key;
  int64_t memory = spec.limits.memory_bytes;
  int64_t oom_before = cg->Usage(key).oom_kills;
  inst.exit_note = [cg, key, memory, oom_before]() -> std::string {
    if (cg->Usage(key).oom_kills <= oom_before) return "";
    return "spacehub: the app was killed: out of memory at its limit of " +
           std::to_string(memory >> 20) + " MiB";
  };
  return Status::Ok();
}

Result<LocalBackend::Sandbox> LocalBackend::SpawnSandbox(const InstanceSpec& spec, SandboxSpec& sb,
                                                         SpawnOptions& so) {
  int info[2];
  if (::pipe2(info, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
  std::vector<int> child_fds = {info[1]};  // closed here once bwrap has them
  auto close_all = [&](int read_end) {
    CloseAll(child_fds);
    if (read_end >= 0) ::close(read_end);
  };
  sb.bwrap = options_.bwrap;
  sb.app_dir = spec.app_dir;
  sb.data_dir = spec.data_dir;
  sb.info_fd = 3;
  sb.devices = spec.devices;
  sb.argv = spec.argv;
  sb.env = spec.env;
  sb.tmp_bytes = spec.tmp_bytes;
  so.pipe_output = true;
  so.extra_fds = {{info[1], 3}};
  // Instance files go to bwrap through pipes, filled now (they are small) and read before exec.
  for (const auto& [dest, content] : spec.files) {
    Result<int> fd = ContentPipe(content);
    if (!fd.ok()) {
      close_all(info[0]);
      return fd.status();
    }
    int child_fd = 4 + static_cast<int>(child_fds.size() - 1);
    child_fds.push_back(*fd);
    so.extra_fds.emplace_back(*fd, child_fd);
    sb.data_files.emplace_back(child_fd, dest);
  }
  auto prepared = PrepareBwrap(sb, so);
  auto proc = prepared.ok() ? Spawn(so) : Result<std::unique_ptr<Subprocess>>(prepared.status());
  if (prepared.ok()) CloseAll(*prepared);
  if (!proc.ok()) {
    close_all(info[0]);
    return proc.status();
  }
  close_all(-1);
  return Sandbox{std::move(*proc), info[0]};
}

void LocalBackend::Pump(Instance* inst, int info_fd, InstanceSpec spec) {
  NameThisThread("app-output");
  // bwrap writes its info and closes the fd once the namespaces exist (or exits on failure).
  // Containers have no info fd: their pid comes from podman's pidfile while the output flows.
  if (info_fd >= 0) inst->child_pid = ParseChildPid(ReadToEnd(info_fd));
  bool want_pid = !inst->container.empty();
  RotatingLog log(spec.log_path, spec.log_cap);
  auto emit = [&](std::string line) {
    line = spec.redactor.Apply(line);
    log.Append(std::to_string(NowMillis()) + ' ' + line);
    MutexLock lock(inst->mu);
    inst->last_lines.push_back(std::move(line));
    if (inst->last_lines.size() > kKeepLines) inst->last_lines.pop_front();
  };
  LineSplitter lines(kMaxLine, emit);
  Subprocess::Drain d;
  d.on_data = [&](std::string_view data) { lines.Feed(data); };
  // A sandbox's output ends with its pid namespace, so its pump only wakes for output; a
  // container's polls podman's pidfile until the pid is known.
  d.tick = want_pid ? std::chrono::milliseconds(50) : std::chrono::milliseconds(1000);
  d.on_tick = [&] {
    if (want_pid) want_pid = !PollContainerPid(inst);
  };
  d.until_eof = true;  // the app's exit is reported once its output has ended
  // A sandbox's pipe closes with its pid namespace, at once; a container's when podman has
  // cleaned it up. A holder past that is a leak outside the app, and must not keep the exit (and
  // whoever waits on this thread: a stop, a job's cancel) waiting for ever.
  d.eof_wait = inst->container.empty() ? kSandboxEofWait : kContainerEofWait;
  d.on_eof_wait = [&] {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(d.eof_wait).count();
    emit("spacehub: the app's output was still open " + std::to_string(secs) +
         " s after it exited; not waiting for it any longer");
    spdlog::warn("space runtime: {}: output still open {} s after the exit", spec.key, secs);
  };
  const int code = inst->proc->DrainOutput(d);
  lines.Finish();
  if (!inst->private_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(inst->private_dir, ec);
  }
  if (inst->exit_note) {
    if (std::string note = inst->exit_note(); !note.empty()) emit(note);
  }
  log.Append(std::to_string(NowMillis()) + " spacehub: the app exited with code " +
             std::to_string(code));
  MutexLock lock(inst->mu);
  inst->alive = false;
  inst->exit_code = code;
}

void LocalBackend::Terminate(Instance& inst, std::chrono::milliseconds grace) {
  bool alive;
  {
    MutexLock lock(inst.mu);
    alive = inst.alive;
  }
  if (alive && !inst.container.empty()) {
    // podman stops the container (TERM, KILL after the grace) and removes it; `podman run`, whose
    // output the pump reads, then ends. Killing `podman run` itself would leave the container. A
    // container still being created when the first removal comes is caught by the next one.
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(grace);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    bool gone = false;
    while (!gone && std::chrono::steady_clock::now() < deadline) {
      RemoveContainer(inst.podman, inst.container, secs);
      for (int i = 0; i < 100 && !gone; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        MutexLock lock(inst.mu);
        gone = !inst.alive;
      }
    }
    if (!gone) inst.proc->Kill(SIGKILL);
    if (!gone) RemoveContainer(inst.podman, inst.container, std::chrono::seconds(0));
  } else if (!inst.container.empty()) {
    // It exited (`--rm` removed it); a `podman run` that died some other way may have left it.
    RemoveContainer(inst.podman, inst.container, std::chrono::seconds(0));
  } else if (alive) {
    // bwrap passes TERM on to nothing; killing it takes the sandbox down (--die-with-parent and
    // the pid namespace), so TERM goes to the app itself first for a clean shutdown.
    pid_t child = inst.child_pid.load();
    if (child > 0) ::kill(child, SIGTERM);
    inst.proc->Kill(SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        MutexLock lock(inst.mu);
        if (!inst.alive) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    inst.proc->Kill(SIGKILL);  // a no-op once the pump has reaped it
  }
  if (inst.pump.joinable()) inst.pump.join();
}

void LocalBackend::Stop(const std::string& key) {
  std::unique_ptr<Instance> inst;
  {
    MutexLock lock(mu_);
    auto it = instances_.find(key);
    if (it == instances_.end()) return;
    inst = std::move(it->second);
    instances_.erase(it);
  }
  Release(key, *inst);
}

InstanceStatus LocalBackend::Get(const std::string& key) {
  MutexLock lock(mu_);
  InstanceStatus st;
  auto it = instances_.find(key);
  if (it == instances_.end()) return st;
  Instance& inst = *it->second;
  MutexLock ilock(inst.mu);
  st.exists = true;
  st.alive = inst.alive;
  st.exit_code = inst.exit_code;
  st.started_at = inst.started_at;
  st.last_lines.assign(inst.last_lines.begin(), inst.last_lines.end());
  return st;
}

InstanceUsage LocalBackend::Usage(const std::string& key) {
  InstanceUsage u;
  std::optional<VolumeSpec> volume;
  bool has_cgroup = false;
  {
    MutexLock lock(mu_);
    auto it = instances_.find(key);
    if (it == instances_.end()) return u;
    has_cgroup = it->second->has_cgroup;
    volume = it->second->volume;
    u.cpu_limit_millis = it->second->cpu_limit_millis;
  }
  u.exists = true;
  if (has_cgroup && cgroups_) u.cgroup = cgroups_->Usage(key);
  if (volume && volumes_) u.storage = volumes_->Usage(*volume);
  if (u.cgroup.cpu_usage_ns) {
    int64_t now = NowMillis();
    MutexLock lock(mu_);
    auto it = instances_.find(key);
    if (it != instances_.end()) {
      Instance& inst = *it->second;
      MutexLock ilock(inst.mu);
      int64_t since = inst.last_cpu_at > 0 ? inst.last_cpu_at : inst.started_at;
      int64_t base = inst.last_cpu_at > 0 ? inst.last_cpu_ns : 0;
      if (now > since) {
        // ns of CPU per ms of wall time = millicores / 1000.
        u.cpu_millicores =
            static_cast<double>(*u.cgroup.cpu_usage_ns - base) / (now - since) / 1000;
      }
      inst.last_cpu_ns = *u.cgroup.cpu_usage_ns;
      inst.last_cpu_at = now;
    }
  }
  return u;
}

bool LocalBackend::Probe(const std::string& key) {
  pid_t child;
  int port;
  {
    MutexLock lock(mu_);
    auto it = instances_.find(key);
    if (it == instances_.end()) return false;
    MutexLock ilock(it->second->mu);
    if (!it->second->alive) return false;
    child = it->second->child_pid.load();
    port = it->second->port;
  }
  if (child <= 0) return false;
  Result<int> s = ConnectInNamespace(child, port, 500);
  if (!s.ok()) return false;
  ::close(*s);
  return true;
}

Result<pid_t> LocalBackend::NamespacePid(const std::string& key) {
  // Right after Start the sandbox may not have reported its first process yet: wait a little.
  for (int i = 0; i < 1000; ++i) {
    {
      MutexLock lock(mu_);
      auto it = instances_.find(key);
      if (it == instances_.end()) return Status(Code::kNotFound, "no instance " + key);
      MutexLock ilock(it->second->mu);
      if (!it->second->alive) return Status(Code::kUnavailable, "the app is not running");
      pid_t child = it->second->child_pid.load();
      if (child > 0) return child;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Status(Code::kUnavailable, "the sandbox did not start in time");
}

Result<int> LocalBackend::Connect(const std::string& key, int port) {
  SH_ASSIGN_OR_RETURN(pid_t child, NamespacePid(key));
  return ConnectInNamespace(child, port, 0);  // the proxy waits for it without blocking a thread
}

Result<int> LocalBackend::ListenInside(const std::string& key, int port) {
  SH_ASSIGN_OR_RETURN(pid_t child, NamespacePid(key));
  SH_ASSIGN_OR_RETURN(int s, SocketInNamespace(child));
  sockaddr_in addr = Loopback(port);
  int one = 1;
  ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(s, 128) != 0) {
    int err = errno;
    ::close(s);
    return Status(Code::kUnavailable, "cannot listen inside the Space on port " +
                                          std::to_string(port) + ": " + std::strerror(err));
  }
  return s;
}

}  // namespace spacehub::runtime
