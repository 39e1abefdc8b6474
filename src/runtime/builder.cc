#include "runtime/builder.h"

#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

#include "core/crypto.h"
#include "runtime/build_files.h"
#include "runtime/build_network.h"
#include "runtime/process.h"
#include "runtime/sandbox.h"

namespace spacehub::runtime {
namespace fs = std::filesystem;
namespace {

bool SafeRelativePath(const std::string& p) {
  if (p.empty() || p.front() == '/') return false;
  fs::path path(p);
  for (const auto& part : path) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

Status WriteFile(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) return Status::Internal("Cannot write " + path.string());
  return Status::Ok();
}

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

Result<std::vector<std::string>> CheckoutCommit(const repo::RepoStore& repos,
                                                const repo::LfsStore& lfs, const RepoId& id,
                                                const std::string& sha, const fs::path& dest) {
  SH_ASSIGN_OR_RETURN(auto entries, repos.ListTree(id, sha, "", /*recursive=*/true));
  fs::path tmp = dest;
  tmp += ".tmp";
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) return Status::Internal("Cannot create " + tmp.string() + ": " + ec.message());
  std::vector<std::string> files;
  for (const auto& e : entries) {
    if (!SafeRelativePath(e.path)) {
      return Status::InvalidArgument("Refusing to check out the path '" + e.path + "'");
    }
    fs::path target = tmp / e.path;
    if (e.is_dir) {
      fs::create_directories(target, ec);
      continue;
    }
    fs::create_directories(target.parent_path(), ec);
    if (e.lfs) {
      fs::path object = lfs.ObjectPath(e.lfs->oid);
      fs::copy_file(object, target, fs::copy_options::overwrite_existing, ec);
      if (ec) {
        return Status::Internal("The LFS object of '" + e.path + "' is missing: " + ec.message());
      }
    } else {
      SH_ASSIGN_OR_RETURN(std::string content, repos.ReadFile(id, sha, e.path));
      SH_TRY(WriteFile(target, content));
    }
    files.push_back(e.path);
  }
  // The files get a checkout's usual modes whatever the hub's umask (a Dockerfile's COPY keeps
  // them, and the app reads them as its own uid); the directory itself stays the hub's only until
  // the build hands it over.
  for (auto it = fs::recursive_directory_iterator(tmp, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const bool dir = it->is_directory(ec);
    fs::permissions(it->path(),
                    dir ? fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec
                        : fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read,
                    ec);
  }
  if (ec) return Status::Internal("Cannot set the checkout's modes: " + ec.message());
  fs::permissions(tmp, fs::perms::owner_all, ec);
  fs::rename(tmp, dest, ec);
  if (ec) return Status::Internal("Cannot move the checkout into place: " + ec.message());
  return files;
}

Status BuildPython(const fs::path& dir, const fs::path& log_path, const PythonBuildOptions& options,
                   HostIds ids) {
  const bool sandboxed = !options.bwrap.empty();
  const bool as_space = sandboxed && ids.set();
  // Inside the sandbox the build directory is /app, exactly where the app will find its venv.
  const fs::path root = sandboxed ? fs::path("/app") : dir;
  EnvList env = {{"PATH", "/usr/bin:/bin"},
                 {"HOME", sandboxed ? "/home/user" : (dir / ".home").string()},
                 {"LANG", "C.UTF-8"},
                 {"PIP_NO_INPUT", "1"}};
  if (!sandboxed) fs::create_directories(dir / ".home");
  // The package index, when configured, is the one place a build may reach: through a relay
  // into a network of the build's own (build_network.h), opened when pip first needs it.
  std::optional<IndexEndpoint> index;
  std::unique_ptr<IndexRelay> relay;
  if (!options.pip_index_url.empty()) {
    SH_ASSIGN_OR_RETURN(IndexEndpoint e, ParseIndexUrl(options.pip_index_url));
    index = e;
  }
  // Runs one build command with `app` as the build directory (/app inside the sandbox); as the
  // Space's uid unless it is the hub's own step (the venv template), with the index relay's
  // network when `relayed`, otherwise none at all.
  auto run_in = [&](const fs::path& app, std::vector<std::string> argv,
                    std::chrono::seconds timeout, bool owner_code, bool relayed) -> Status {
    AppendLine(log_path, "$ " + Join(argv));
    SpawnOptions so;
    std::vector<int> sandbox_fds;
    if (sandboxed) {
      SandboxSpec sb;
      sb.bwrap = options.bwrap;
      sb.app_dir = app;
      sb.app_writable = true;
      // The relay's namespace holds only lo and the index's listener; it belongs to the hub, so
      // the sandbox cannot change it. Without a relay bwrap makes an empty one.
      sb.share_net = relayed;
      if (relayed) sb.data_contents = IndexResolverFiles(*index);
      if (!options.wheelhouse.empty()) sb.ro_extra.push_back(options.wheelhouse);
      sb.env = env;
      sb.argv = std::move(argv);
      SH_ASSIGN_OR_RETURN(sandbox_fds, PrepareBwrap(sb, so));
      if (owner_code && as_space) so.uid = so.gid = ids.app_uid();
    } else {
      so.argv = std::move(argv);
      so.cwd = app;
      so.env = env;
    }
    // One cgroup per build directory (builds of different commits may overlap).
    const std::string key = "build-" + Sha256Hex(app.string()).substr(0, 16);
    const bool limited = options.cgroups && options.cgroups->enabled() && options.limits.any();
    if (limited) {
      auto joins = options.cgroups->Create(key, options.limits);
      if (!joins.ok()) {
        CloseAll(sandbox_fds);
        return joins.status();
      }
      so.join_cgroups = *joins;
    }
    Result<int> code = Status::Internal("not run");
    DiskBudget budget;
    if (options.disk_bytes > 0) {
      budget = {app, options.disk_bytes};
      so.max_file_bytes = options.disk_bytes;
    }
    auto go = [&]() -> Status {
      code = RunToLog(std::move(so), log_path, timeout, kDefaultLogCap, budget);
      return Status::Ok();
    };
    Status ran = relayed ? relay->RunInside(go) : go();
    CloseAll(sandbox_fds);
    if (limited) options.cgroups->Remove(key);  // and whatever the command left running
    SH_TRY(ran);
    if (!code.ok()) return code.status();
    if (*code != 0) {
      std::string tail;
      for (const auto& l : TailLines(log_path, 8)) tail += l + "\n";
      return Status::InvalidArgument("Build failed (exit code " + std::to_string(*code) + "):\n" +
                                     tail);
    }
    return Status::Ok();
  };
  auto run = [&](std::vector<std::string> argv, std::chrono::seconds timeout) {
    return run_in(dir, std::move(argv), timeout, /*owner_code=*/true, /*relayed=*/false);
  };
  // The hub's last write into `dir` comes before this; from here on the Space's code may change
  // anything in it.
  auto hand_over = [&]() -> Status {
    if (!as_space) return Status::Ok();
    return ChownTree(dir, ids.app_uid(), ids.app_uid());
  };
  fs::path req = dir / "requirements.txt";
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(req, ec)) || !HasRequirements(req)) {
    // Nothing to install: a venv without pip (ensurepip is what takes seconds). Such a venv is the
    // same for every app — links to the system interpreter, made at /app/.venv — so the hub makes
    // it once and copies it into each build: most of a small app's commit-to-RUNNING time.
    const std::vector<std::string> make = {options.python.string(), "-m", "venv", "--without-pip",
                                           (root / ".venv").string()};
    if (options.venv_template.empty() || !sandboxed) {
      SH_TRY(hand_over());
      SH_TRY(run(make, std::chrono::seconds(120)));
    } else {
      static std::mutex template_mu;  // builds run on several threads; one template per hub
      std::lock_guard lock(template_mu);
      const fs::path& tmpl = options.venv_template;
      const fs::path marker = tmpl / ".spacehub-template";
      // The template is remade when the interpreter changes (a system upgrade).
      const std::string identity =
          fs::canonical(options.python, ec).string() + " " +
          std::to_string(fs::last_write_time(options.python, ec).time_since_epoch().count());
      std::ifstream in(marker);
      std::string have((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (have != identity) {
        SH_TRY(RemoveTree(tmpl));
        fs::create_directories(tmpl, ec);
        // The hub's own step (python's venv module, no owner code): run as the hub.
        SH_TRY(run_in(tmpl, make, std::chrono::seconds(120), /*owner_code=*/false, false));
        SH_TRY(WriteFile(marker, identity));
      }
      // Copied before the directory is handed over: no owner code has run in it yet, and the
      // checkout holds only regular files and directories.
      fs::copy(tmpl / ".venv", dir / ".venv",
               fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
      if (ec) return Status::Internal("Cannot copy the venv template: " + ec.message());
      AppendLine(log_path, "spacehub: venv (no pip) copied from the hub's template");
      SH_TRY(hand_over());
    }
    AppendLine(log_path, "No requirements to install");
    return Status::Ok();
  }
  SH_TRY(hand_over());
  SH_TRY(run({options.python.string(), "-m", "venv", (root / ".venv").string()},
             std::chrono::seconds(120)));
  std::vector<std::string> pip = {(root / ".venv" / "bin" / "python").string(),
                                  "-m",
                                  "pip",
                                  "install",
                                  "--disable-pip-version-check",
                                  "--no-input",
                                  "--retries",
                                  "0",
                                  "--timeout",
                                  "15"};
  if (index) {
    pip.insert(pip.end(), {"--index-url", RelayedIndexUrl(options.pip_index_url, *index)});
  } else {
    pip.push_back("--no-index");
  }
  if (!options.wheelhouse.empty())
    pip.insert(pip.end(), {"--find-links", options.wheelhouse.string()});
  if (!index && options.wheelhouse.empty()) {
    AppendLine(log_path,
               "spacehub: no package index or wheelhouse is configured on this hub; pip runs "
               "offline (--no-index)");
  }
  pip.insert(pip.end(), {"-r", (root / "requirements.txt").string()});
  const bool relayed = index && sandboxed;
  if (relayed) {
    SH_ASSIGN_OR_RETURN(relay, IndexRelay::Open(*index));
    AppendLine(log_path, "spacehub: the build's network reaches only the package index " +
                             index->host + ":" + std::to_string(index->port));
  }
  Status st = run_in(dir, std::move(pip), options.pip_timeout, /*owner_code=*/true, relayed);
  if (relay) {
    AppendLine(log_path, "spacehub: " + std::to_string(relay->accepted()) +
                             " connection(s) to the package index");
  }
  return st;
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
