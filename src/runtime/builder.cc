#include "runtime/builder.h"

#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>

#include "core/crypto.h"
#include "core/mutex.h"
#include "runtime/build_files.h"
#include "runtime/build_network.h"
#include "runtime/process.h"
#include "runtime/sandbox.h"

namespace spacehub::runtime {
namespace fs = std::filesystem;
namespace {

bool HasRequirements(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto start = line.find_first_not_of(" \t\r");
    if (start != std::string::npos && line[start] != '#') return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

namespace {

// One BuildPython call: its directories, environment, sandbox choice and (once pip needs it) its
// relay to the package index.
class PythonBuild {
 public:
  PythonBuild(const fs::path& dir, const fs::path& log_path, const PythonBuildOptions& options,
              HostIds ids)
      : dir_(dir),
        log_path_(log_path),
        options_(options),
        ids_(ids),
        sandboxed_(!options.bwrap.empty()),
        as_space_(sandboxed_ && ids.set()),
        // Inside the sandbox the build directory is /app, exactly where the app finds its venv.
        root_(sandboxed_ ? fs::path("/app") : dir),
        env_({{"PATH", "/usr/bin:/bin"},
              {"HOME", sandboxed_ ? "/home/user" : (dir / ".home").string()},
              {"LANG", "C.UTF-8"},
              {"PIP_NO_INPUT", "1"}}) {}

  Status Run() {
    if (!sandboxed_) fs::create_directories(dir_ / ".home");
    // The package index, when configured, is the one place a build may reach: through a relay
    // into a network of the build's own (build_network.h), opened when pip first needs it.
    if (!options_.pip_index_url.empty()) {
      SH_ASSIGN_OR_RETURN(IndexEndpoint e, ParseIndexUrl(options_.pip_index_url));
      index_ = e;
    }
    const fs::path req = dir_ / "requirements.txt";
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(req, ec)) || !HasRequirements(req)) {
      SH_TRY(MakeVenvWithoutPip());
      AppendLine(log_path_, "No requirements to install");
      return Status::Ok();
    }
    SH_TRY(HandOver());
    SH_TRY(RunIn(dir_, {options_.python.string(), "-m", "venv", (root_ / ".venv").string()},
                 std::chrono::seconds(120), /*owner_code=*/true, /*relayed=*/false));
    return InstallRequirements();
  }

 private:
  // The hub's last write into the directory comes before this; from here on the Space's code may
  // change anything in it.
  Status HandOver() {
    if (!as_space_) return Status::Ok();
    return ChownTree(dir_, ids_.app_uid(), ids_.app_uid());
  }

  // Nothing to install: a venv without pip (ensurepip is what takes seconds). Such a venv is the
  // same for every app — links to the system interpreter, made at /app/.venv — so the hub makes
  // it once and copies it into each build: most of a small app's commit-to-RUNNING time.
  Status MakeVenvWithoutPip() {
    const std::vector<std::string> make = {options_.python.string(), "-m", "venv", "--without-pip",
                                           (root_ / ".venv").string()};
    if (options_.venv_template.empty() || !sandboxed_) {
      SH_TRY(HandOver());
      return RunIn(dir_, make, std::chrono::seconds(120), /*owner_code=*/true, false);
    }
    static Mutex template_mu;  // builds run on several threads; one template per hub
    MutexLock lock(template_mu);
    SH_TRY(RefreshVenvTemplate(make));
    // Copied before the directory is handed over: no owner code has run in it yet, and the
    // checkout holds only regular files and directories.
    std::error_code ec;
    fs::copy(options_.venv_template / ".venv", dir_ / ".venv",
             fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    if (ec) return Status::Internal("Cannot copy the venv template: " + ec.message());
    AppendLine(log_path_, "spacehub: venv (no pip) copied from the hub's template");
    return HandOver();
  }

  // Remakes the hub's venv template when the interpreter changed (a system upgrade).
  Status RefreshVenvTemplate(const std::vector<std::string>& make) {
    const fs::path& tmpl = options_.venv_template;
    const fs::path marker = tmpl / ".spacehub-template";
    std::error_code ec;
    const std::string identity =
        fs::canonical(options_.python, ec).string() + " " +
        std::to_string(fs::last_write_time(options_.python, ec).time_since_epoch().count());
    std::ifstream in(marker);
    std::string have((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (have == identity) return Status::Ok();
    SH_TRY(RemoveTree(tmpl));
    fs::create_directories(tmpl, ec);
    // The hub's own step (python's venv module, no owner code): run as the hub.
    SH_TRY(RunIn(tmpl, make, std::chrono::seconds(120), /*owner_code=*/false, false));
    std::ofstream out(marker, std::ios::trunc);
    out << identity;
    return out ? Status::Ok() : Status::Internal("Cannot write " + marker.string());
  }

  std::vector<std::string> PipCommand() const {
    std::vector<std::string> pip = {(root_ / ".venv" / "bin" / "python").string(),
                                    "-m",
                                    "pip",
                                    "install",
                                    "--disable-pip-version-check",
                                    "--no-input",
                                    "--retries",
                                    "0",
                                    "--timeout",
                                    "15"};
    if (index_) {
      pip.insert(pip.end(), {"--index-url", RelayedIndexUrl(options_.pip_index_url, *index_)});
    } else {
      pip.push_back("--no-index");
    }
    if (!options_.wheelhouse.empty()) {
      pip.insert(pip.end(), {"--find-links", options_.wheelhouse.string()});
    }
    pip.insert(pip.end(), {"-r", (root_ / "requirements.txt").string()});
    return pip;
  }

  Status InstallRequirements() {
    if (!index_ && options_.wheelhouse.empty()) {
      AppendLine(log_path_,
                 "spacehub: no package index or wheelhouse is configured on this hub; pip runs "
                 "offline (--no-index)");
    }
    const bool relayed = index_ && sandboxed_;
    if (relayed) {
      SH_ASSIGN_OR_RETURN(relay_, IndexRelay::Open(*index_));
      AppendLine(log_path_, "spacehub: the build's network reaches only the package index " +
                                index_->host + ":" + std::to_string(index_->port));
    }
    Status st = RunIn(dir_, PipCommand(), options_.pip_timeout, /*owner_code=*/true, relayed);
    if (relay_) {
      AppendLine(log_path_, "spacehub: " + std::to_string(relay_->accepted()) +
                                " connection(s) to the package index");
    }
    return st;
  }

  // How one command runs: in a sandbox with `app` at /app (as the Space's uid for owner code, with
  // the relay's network when `relayed`, otherwise none), or on the host in `app`. `fds`: what the
  // caller closes once it ran.
  Result<SpawnOptions> CommandOptions(const fs::path& app, std::vector<std::string> argv,
                                      bool owner_code, bool relayed, std::vector<int>& fds) const {
    SpawnOptions so;
    if (!sandboxed_) {
      so.argv = std::move(argv);
      so.cwd = app;
      so.env = env_;
      return so;
    }
    SandboxSpec sb;
    sb.bwrap = options_.bwrap;
    sb.app_dir = app;
    sb.app_writable = true;
    // The relay's namespace holds only lo and the index's listener; it belongs to the hub, so
    // the sandbox cannot change it. Without a relay bwrap makes an empty one.
    sb.share_net = relayed;
    if (relayed) sb.data_contents = IndexResolverFiles(*index_);
    if (!options_.wheelhouse.empty()) sb.ro_extra.push_back(options_.wheelhouse);
    sb.env = env_;
    sb.argv = std::move(argv);
    SH_ASSIGN_OR_RETURN(fds, PrepareBwrap(sb, so));
    if (owner_code && as_space_) so.uid = so.gid = ids_.app_uid();
    return so;
  }

  // Runs one build command with `app` as the build directory, in a cgroup of its own (builds of
  // different commits may overlap) and under the disk budget; a failure carries the log's tail.
  Status RunIn(const fs::path& app, std::vector<std::string> argv, std::chrono::seconds timeout,
               bool owner_code, bool relayed) {
    AppendLine(log_path_, "$ " + Join(argv));
    std::vector<int> sandbox_fds;
    SH_ASSIGN_OR_RETURN(SpawnOptions so,
                        CommandOptions(app, std::move(argv), owner_code, relayed, sandbox_fds));
    const std::string key = "build-" + Sha256Hex(app.string()).substr(0, 16);
    const bool limited = options_.cgroups && options_.cgroups->enabled() && options_.limits.any();
    if (limited) {
      auto joins = options_.cgroups->Create(key, options_.limits);
      if (!joins.ok()) {
        CloseAll(sandbox_fds);
        return joins.status();
      }
      so.join_cgroups = *joins;
    }
    DiskBudget budget;
    if (options_.disk_bytes > 0) {
      budget = {app, options_.disk_bytes};
      so.max_file_bytes = options_.disk_bytes;
    }
    Result<int> code = Status::Internal("not run");
    auto go = [&]() -> Status {
      code = RunToLog(std::move(so), log_path_, timeout, kDefaultLogCap, budget);
      return Status::Ok();
    };
    Status ran = relayed ? relay_->RunInside(go) : go();
    CloseAll(sandbox_fds);
    if (limited) options_.cgroups->Remove(key);  // and whatever the command left running
    SH_TRY(ran);
    if (!code.ok()) return code.status();
    if (*code == 0) return Status::Ok();
    std::string tail;
    for (const auto& l : TailLines(log_path_, 8)) tail += l + "\n";
    return Status::InvalidArgument("Build failed (exit code " + std::to_string(*code) + "):\n" +
                                   tail);
  }

  const fs::path& dir_;
  const fs::path& log_path_;
  const PythonBuildOptions& options_;
  const HostIds ids_;
  const bool sandboxed_;
  const bool as_space_;
  const fs::path root_;
  const EnvList env_;
  std::optional<IndexEndpoint> index_;
  std::unique_ptr<IndexRelay> relay_;
};

}  // namespace

Status BuildPython(const fs::path& dir, const fs::path& log_path, const PythonBuildOptions& options,
                   HostIds ids) {
  return PythonBuild(dir, log_path, options, ids).Run();
}

std::vector<std::string> TailLines(const fs::path& path, size_t n) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    lines.push_back(std::move(line));
    if (lines.size() > n) lines.erase(lines.begin());
  }
  return lines;
}

}  // namespace spacehub::runtime
