// GitHttpService: git's smart HTTP protocol (clone, fetch, push) for every repository, served by
// git's own `upload-pack` / `receive-pack` in stateless-RPC mode (see
// docs/design/0003-git-http.md). This layer decides who may run which service on which repo and
// builds the command (through repo::GitCommand); the api layer only moves bytes. A push runs the
// hub's pre-receive hook (the push rules, service/push_rules.h) and, once receive-pack is done,
// OnRefsUpdated with the refs that moved — the same call an API commit makes. Thread-safe: calls
// share only the Hub; each GitRpcCall belongs to one request.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "repo/git_rpc.h"
#include "service/access.h"

namespace spacehub::service {

enum class GitService { kUploadPack, kReceivePack };

// "git-upload-pack" / "git-receive-pack"; anything else is kInvalidArgument.
Result<GitService> ParseGitService(std::string_view name);
const char* GitServiceName(GitService service);  // "git-upload-pack"
// Whether a Git-Protocol header value asks for protocol v2 ("version=2").
bool WantsProtocolV2(std::string_view git_protocol);

struct GitHttpOptions {
  std::filesystem::path data_dir;   // the hook opens the metadata store there
  std::filesystem::path hooks_dir;  // core.hooksPath for receive-pack
  std::filesystem::path home_dir;   // an empty HOME for every git process
};

// Writes the hooks (a `pre-receive` that execs `<spacehub_exe> hook pre-receive`) and the empty
// HOME under <data_dir>/git/. Called once at start-up, before the server runs.
Result<GitHttpOptions> PrepareGitHttp(const std::filesystem::path& data_dir,
                                      const std::filesystem::path& spacehub_exe);

// One running upload-pack / receive-pack. Feed the request with Write, then CloseInput, then read
// the response. Destruction reaps git on every path (an abandoned push is killed before any ref
// moves, or finishes the update it was doing); after a receive-pack, the refs that moved go
// through OnRefsUpdated.
class GitRpcCall final {
 public:
  GitRpcCall(Hub& hub, db::RepoRow row, GitService service, std::unique_ptr<repo::GitRpc> rpc);
  ~GitRpcCall();
  GitRpcCall(const GitRpcCall&) = delete;
  GitRpcCall& operator=(const GitRpcCall&) = delete;

  [[nodiscard]] Status Write(std::string_view data) { return rpc_->Write(data); }
  void CloseInput() { rpc_->CloseInput(); }
  [[nodiscard]] Result<bool> WaitForOutput() { return rpc_->WaitForOutput(); }
  // At the end of the output, waits for git and runs the after-push step.
  [[nodiscard]] Result<size_t> Read(char* buf, size_t capacity);
  // After the output ended: git's exit code, and the start of its stderr.
  int Wait() { return rpc_->Wait(); }
  std::string Stderr() const { return rpc_->Stderr(); }

 private:
  void Complete();
  Hub& hub_;
  db::RepoRow row_;
  GitService service_;
  std::unique_ptr<repo::GitRpc> rpc_;
  std::map<std::string, std::string> refs_before_;
  bool completed_ = false;
};

class GitHttpService final {
 public:
  GitHttpService(Hub& hub, GitHttpOptions options) : hub_(hub), options_(std::move(options)) {}

  // upload-pack needs read access, receive-pack write access. An anonymous caller who may not read
  // gets kUnauthenticated (git then asks for credentials) whether or not the repo exists; a caller
  // with credentials gets RepoNotFound, a read-only one pushing kPermissionDenied.
  Result<db::RepoRow> Authorize(const Caller& who, const RepoId& id, GitService service);
  // Starts git for an authorized repo: the ref advertisement (`advertise`) or one RPC round.
  // `git_protocol`: the client's Git-Protocol header (validated here).
  enum class Mode { kAdvertise, kRpc };
  Result<std::unique_ptr<GitRpcCall>> Start(const db::RepoRow& row, GitService service, Mode mode,
                                            std::string_view git_protocol);

 private:
  Hub& hub_;
  GitHttpOptions options_;
};

}  // namespace spacehub::service
