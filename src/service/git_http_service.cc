#include "service/git_http_service.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/refs_updated.h"

namespace spacehub::service {
namespace {

std::map<std::string, std::string> RefMap(Hub& hub, const RepoId& id) {
  std::map<std::string, std::string> out;
  auto refs = hub.repos.ListRefs(id);
  if (!refs.ok()) return out;
  for (const auto* list : {&refs->branches, &refs->tags, &refs->converts, &refs->pull_requests}) {
    for (const auto& r : *list) out[r.ref] = r.target;
  }
  return out;
}

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

Status WriteExecutable(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  if (fd < 0) return Status::Unavailable("Cannot create " + tmp.string());
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fchmod(fd, 0755) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Unavailable("Cannot write " + path.string());
  }
  return Status::Ok();
}

// Git-Protocol is "key=value" entries separated by ':' (gitprotocol-http(5)); it reaches git as
// GIT_PROTOCOL, which git parses itself, so only its own alphabet passes.
bool ValidGitProtocol(std::string_view v) {
  if (v.size() > 256) return false;
  for (char c : v) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '=' || c == ':' || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<GitService> ParseGitService(std::string_view name) {
  if (name == "git-upload-pack") return GitService::kUploadPack;
  if (name == "git-receive-pack") return GitService::kReceivePack;
  return Status::InvalidArgument(
      "Unsupported git service; only smart HTTP (git-upload-pack, "
      "git-receive-pack) is served");
}

const char* GitServiceName(GitService service) {
  return service == GitService::kUploadPack ? "git-upload-pack" : "git-receive-pack";
}

bool WantsProtocolV2(std::string_view git_protocol) {
  while (!git_protocol.empty()) {
    size_t colon = git_protocol.find(':');
    if (git_protocol.substr(0, colon) == "version=2") return true;
    if (colon == std::string_view::npos) break;
    git_protocol.remove_prefix(colon + 1);
  }
  return false;
}

Result<GitHttpOptions> PrepareGitHttp(const std::filesystem::path& data_dir,
                                      const std::filesystem::path& spacehub_exe) {
  GitHttpOptions o;
  o.data_dir = std::filesystem::absolute(data_dir);
  o.hooks_dir = o.data_dir / "git" / "hooks";
  o.home_dir = o.data_dir / "git" / "home";
  std::error_code ec;
  for (const auto& d : {o.hooks_dir, o.home_dir}) {
    std::filesystem::create_directories(d, ec);
    if (ec) return Status::Unavailable("Cannot create " + d.string() + ": " + ec.message());
  }
  // The hook learns the data dir and the repo from the environment receive-pack passes on.
  std::string script = "#!/bin/sh\n# Written by spacehub at start-up: the push rules.\nexec " +
                       ShellQuote(spacehub_exe.string()) + " hook pre-receive\n";
  SH_TRY(WriteExecutable(o.hooks_dir / "pre-receive", script));
  return o;
}

GitRpcCall::GitRpcCall(Hub& hub, db::RepoRow row, GitService service,
                       std::unique_ptr<repo::GitRpc> rpc)
    : hub_(hub), row_(std::move(row)), service_(service), rpc_(std::move(rpc)) {
  if (service_ == GitService::kReceivePack) refs_before_ = RefMap(hub_, row_.repo);
}

GitRpcCall::~GitRpcCall() {
  if (completed_) return;
  rpc_.reset();  // kills and reaps git if it still runs: no ref moves behind our back afterwards
  Complete();
}

Result<size_t> GitRpcCall::Read(char* buf, size_t capacity) {
  SH_ASSIGN_OR_RETURN(size_t n, rpc_->Read(buf, capacity));
  if (n == 0 && !completed_) {
    int code = rpc_->Wait();
    if (code != 0) {
      spdlog::warn("git {} exited code={} repo={} stderr={}", GitServiceName(service_), code,
                   row_.repo.Full(), rpc_->Stderr());
    }
    Complete();
  }
  return n;
}

void GitRpcCall::Complete() {
  completed_ = true;
  if (service_ != GitService::kReceivePack) return;
  hub_.repos.InvalidateRefs(row_.repo);
  std::map<std::string, std::string> after = RefMap(hub_, row_.repo);
  std::vector<std::string> changed;
  for (const auto& [ref, target] : after) {
    auto it = refs_before_.find(ref);
    if (it == refs_before_.end() || it->second != target) changed.push_back(ref);
  }
  for (const auto& [ref, target] : refs_before_) {
    if (!after.count(ref)) changed.push_back(ref);
  }
  if (!changed.empty()) OnRefsUpdated(hub_, row_, changed);
}

Result<db::RepoRow> GitHttpService::Authorize(const Caller& who, const RepoId& id,
                                              GitService service) {
  Result<db::RepoRow> row = service == GitService::kUploadPack ? RequireReadable(hub_, who, id)
                                                               : RequireWritable(hub_, who, id);
  if (!row.ok() && !who && row.status().code() == Code::kNotFound) {
    return Status::Unauthenticated("Authentication required for " + id.Full());
  }
  return row;
}

Result<std::unique_ptr<GitRpcCall>> GitHttpService::Start(const db::RepoRow& row,
                                                          GitService service, Mode mode,
                                                          std::string_view git_protocol) {
  const bool push = service == GitService::kReceivePack;
  repo::GitCommand cmd(push ? repo::GitSubcommand::kReceivePack : repo::GitSubcommand::kUploadPack);
  cmd.SetHome(options_.home_dir);
  if (push) {
    SH_TRY(cmd.SetConfig("core.hooksPath", options_.hooks_dir.string()));
    SH_TRY(cmd.SetConfig("receive.fsckObjects", "true"));
    SH_TRY(cmd.SetEnv("SPACEHUB_DATA_DIR", options_.data_dir.string()));
    SH_TRY(cmd.SetEnv("SPACEHUB_REPO_ID", std::to_string(row.id)));
  }
  if (!git_protocol.empty()) {
    if (!ValidGitProtocol(git_protocol)) return Status::InvalidArgument("Malformed Git-Protocol");
    SH_TRY(cmd.SetEnv("GIT_PROTOCOL", git_protocol));
  }
  SH_TRY(cmd.AddOption("--stateless-rpc"));
  if (mode == Mode::kAdvertise) SH_TRY(cmd.AddOption("--advertise-refs"));
  SH_TRY(cmd.AddPositional(hub_.repos.GitDir(row.repo).string()));
  SH_ASSIGN_OR_RETURN(auto rpc, repo::GitRpc::Start(cmd));
  return std::make_unique<GitRpcCall>(hub_, row, service, std::move(rpc));
}

}  // namespace spacehub::service
