// Shared plumbing of the client subcommands (whoami, repo, upload, download, space): the common
// flags, building a spacehub::HubClient from them, --json output, progress on a terminal, and the
// one mapping from client errors to exit codes. Called from main's thread only.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "spacehub/hub_client.h"

namespace spacehub::cli {

// The client library's names used by the client subcommands.
using client::ClientOptions;
using client::CommitInfo;
using client::CreateRepoOptions;
using client::DownloadOptions;
using client::DuplicateSpaceOptions;
using client::ErrorKind;
using client::ErrorKindName;
using client::GitCommit;
using client::GitRef;
using client::GitRefs;
using client::HttpError;
using client::HubClient;
using client::HubError;
using client::LocalError;
using client::ParseRepoType;
using client::ParseSpaceStorage;
using client::RepoInfo;
using client::RepoTreeEntry;
using client::RepoType;
using client::RepoTypeName;
using client::SpaceLogLine;
using client::SpaceLogOptions;
using client::SpaceRuntime;
using client::SpaceVariable;
using client::TreeOptions;
using client::WhoAmI;

// Exit codes of the client subcommands (documented in `spacehub --help` epilogue and 0005).
enum ExitCode : int {
  kExitOk = 0,
  kExitUnexpected = 1,
  kExitUsage = 2,         // bad command line, or an argument refused before sending (bad repo id)
  kExitAuth = 3,          // no token, or 401
  kExitRepoNotFound = 4,  // RepositoryNotFound / GatedRepo
  kExitRevisionNotFound = 5,
  kExitEntryNotFound = 6,
  kExitBadRequest = 7,  // the server answered 400 (e.g. an unknown hardware flavor)
  kExitForbidden = 8,   // 403
  kExitConflict = 9,    // 409 (already exists)
  kExitHttp = 10,       // any other 4xx
  kExitServer = 11,     // 5xx after retries
  kExitNetwork = 12,    // connection refused, DNS, TLS, timeouts
  kExitLocalIo = 13,    // disk full, permissions
  kExitTimeout = 14,    // space wait deadline
  kExitNotCached = 15,  // offline (HF_HUB_OFFLINE) and not in the local cache
};

extern const char* const kExitCodeHelp;

// Flags every client subcommand accepts.
struct ClientFlags {
  std::string token;     // --token (else HF_TOKEN / $HF_HOME/token)
  std::string endpoint;  // --endpoint (else HF_ENDPOINT)
  bool json = false;     // --json: machine-readable stdout
  bool no_xet = false;   // --no-xet (upload/download only): plain LFS transfers
};

// Registers --token, --endpoint and --json on `cmd`.
void AddClientFlags(CLI::App* cmd, ClientFlags* flags);
// with_progress: draw a progress bar on stderr, only when stderr is a terminal and not --json.
std::unique_ptr<HubClient> MakeClient(const ClientFlags& flags, bool with_progress,
                                      int max_workers = 8);

// Runs `body`, turning a thrown spacehub::HubError into a message on stderr (a JSON object when
// --json) and its exit code.
int RunClient(const ClientFlags& flags, const std::function<int()>& body);
int ExitCodeFor(const HubError& error);

// Repo type from --repo-type; throws LocalError(kInvalidArgument) for anything else.
RepoType RepoTypeFlag(const std::string& value);
bool StdoutIsTerminal();
bool StderrIsTerminal();
void PrintJson(const nlohmann::json& j);
nlohmann::json RuntimeJson(const SpaceRuntime& rt);

}  // namespace spacehub::cli
