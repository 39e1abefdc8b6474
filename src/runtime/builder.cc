#include "runtime/builder.h"

#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>

#include "core/crypto.h"
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
  fs::rename(tmp, dest, ec);
  if (ec) return Status::Internal("Cannot move the checkout into place: " + ec.message());
  return files;
}

Status BuildPython(const fs::path& dir, const fs::path& log_path,
                   const PythonBuildOptions& options) {
  const bool sandboxed = !options.bwrap.empty();
  // Inside the sandbox the build directory is /app, exactly where the app will find its venv.
  const fs::path root = sandboxed ? fs::path("/app") : dir;
  EnvList env = {{"PATH", "/usr/bin:/bin"},
                 {"HOME", sandboxed ? "/home/user" : (dir / ".home").string()},
                 {"LANG", "C.UTF-8"},
                 {"PIP_NO_INPUT", "1"}};
  if (!sandboxed) fs::create_directories(dir / ".home");
  // Runs one build command with `app` as the build directory (/app inside the sandbox).
  auto run_in = [&](const fs::path& app, std::vector<std::string> argv,
                    std::chrono::seconds timeout) -> Status {
    AppendLine(log_path, "$ " + Join(argv));
    SpawnOptions so;
    if (sandboxed) {
      SandboxSpec sb;
      sb.bwrap = options.bwrap;
      sb.app_dir = app;
      sb.app_writable = true;
      sb.share_net = !options.pip_index_url.empty();
      if (!options.wheelhouse.empty()) sb.ro_extra.push_back(options.wheelhouse);
      sb.argv = std::move(argv);
      so.argv = BwrapArgv(sb);
    } else {
      so.argv = std::move(argv);
      so.cwd = app;
    }
    so.env = env;
    // One cgroup per build directory (builds of different commits may overlap).
    const std::string key = "build-" + Sha256Hex(app.string()).substr(0, 16);
    const bool limited = options.cgroups && options.cgroups->enabled() && options.limits.any();
    if (limited) {
      SH_ASSIGN_OR_RETURN(so.join_cgroups, options.cgroups->Create(key, options.limits));
    }
    auto code = RunToLog(std::move(so), log_path, timeout);
    if (limited) options.cgroups->Remove(key);  // and whatever the command left running
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
    return run_in(dir, std::move(argv), timeout);
  };
  fs::path req = dir / "requirements.txt";
  if (!fs::exists(req) || !HasRequirements(req)) {
    // Nothing to install: a venv without pip (ensurepip is what takes seconds). Such a venv is the
    // same for every app — links to the system interpreter, made at /app/.venv — so the hub makes
    // it once and copies it into each build: most of a small app's commit-to-RUNNING time.
    const std::vector<std::string> make = {options.python.string(), "-m", "venv", "--without-pip",
                                           (root / ".venv").string()};
    if (options.venv_template.empty() || !sandboxed) {
      SH_TRY(run(make, std::chrono::seconds(120)));
    } else {
      static std::mutex template_mu;  // builds run on several threads; one template per hub
      std::lock_guard lock(template_mu);
      const fs::path& tmpl = options.venv_template;
      const fs::path marker = tmpl / ".spacehub-template";
      std::error_code ec;
      // The template is remade when the interpreter changes (a system upgrade).
      const std::string identity =
          fs::canonical(options.python, ec).string() + " " +
          std::to_string(fs::last_write_time(options.python, ec).time_since_epoch().count());
      std::ifstream in(marker);
      std::string have((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (have != identity) {
        fs::remove_all(tmpl, ec);
        fs::create_directories(tmpl, ec);
        SH_TRY(run_in(tmpl, make, std::chrono::seconds(120)));
        SH_TRY(WriteFile(marker, identity));
      }
      fs::copy(tmpl / ".venv", dir / ".venv",
               fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
      if (ec) return Status::Internal("Cannot copy the venv template: " + ec.message());
      AppendLine(log_path, "spacehub: venv (no pip) copied from the hub's template");
    }
    AppendLine(log_path, "No requirements to install");
    return Status::Ok();
  }
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
  if (!options.pip_index_url.empty()) {
    pip.insert(pip.end(), {"--index-url", options.pip_index_url});
  } else {
    pip.push_back("--no-index");
  }
  if (!options.wheelhouse.empty())
    pip.insert(pip.end(), {"--find-links", options.wheelhouse.string()});
  if (options.pip_index_url.empty() && options.wheelhouse.empty()) {
    AppendLine(log_path,
               "spacehub: no package index or wheelhouse is configured on this hub; pip runs "
               "offline (--no-index)");
  }
  pip.insert(pip.end(), {"-r", (root / "requirements.txt").string()});
  return run(std::move(pip), options.pip_timeout);
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
