// See client_common.h.
#include "cli/client_common.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace spacehub::cli {

const char* const kExitCodeHelp =
    "Exit codes: 0 ok, 1 unexpected, 3 no token / 401, 4 repository not found, 5 revision not "
    "found, 6 file not found, 7 bad request or argument, 8 forbidden, 9 conflict (exists), 10 "
    "other HTTP error, 11 server error, 12 network error, 13 local I/O error (disk full), 14 "
    "timeout.";

void AddClientFlags(CLI::App* cmd, ClientFlags* flags) {
  cmd->add_option("--token", flags->token, "access token (default: HF_TOKEN, then $HF_HOME/token)");
  cmd->add_option("--endpoint", flags->endpoint, "hub URL (default: HF_ENDPOINT)");
  cmd->add_flag("--json", flags->json, "print machine-readable JSON on stdout");
  cmd->footer(kExitCodeHelp);
}

bool StdoutIsTerminal() { return ::isatty(STDOUT_FILENO) == 1; }

std::unique_ptr<HubClient> MakeClient(const ClientFlags& flags, bool with_progress) {
  ClientOptions o;
  if (!flags.token.empty()) o.token = flags.token;
  if (!flags.endpoint.empty()) o.endpoint = flags.endpoint;
  if (with_progress && !flags.json && StdoutIsTerminal()) {
    auto last = std::make_shared<int>(-1);
    o.progress = [last](const std::string& label, uint64_t done, uint64_t total) {
      int pct = total ? static_cast<int>(done * 100 / total) : 0;
      if (pct == *last) return;
      *last = pct;
      std::fprintf(stderr, "\r%s: %3d%% (%.1f / %.1f MB)", label.c_str(), pct, done / 1e6,
                   total / 1e6);
      if (done >= total) {
        std::fprintf(stderr, "\n");
        *last = -1;
      }
      std::fflush(stderr);
    };
  }
  return std::make_unique<HubClient>(std::move(o));
}

int ExitCodeFor(const HubError& e) {
  switch (e.kind()) {
    case ErrorKind::kRepositoryNotFound:
    case ErrorKind::kGatedRepo:
      return kExitRepoNotFound;
    case ErrorKind::kRevisionNotFound:
      return kExitRevisionNotFound;
    case ErrorKind::kEntryNotFound:
      return kExitEntryNotFound;
    case ErrorKind::kBadRequest:
    case ErrorKind::kInvalidArgument:
      return kExitBadRequest;
    case ErrorKind::kAuthRequired:
      return kExitAuth;
    case ErrorKind::kNetwork:
      return kExitNetwork;
    case ErrorKind::kLocalIo:
      return kExitLocalIo;
    case ErrorKind::kTimeout:
      return kExitTimeout;
    case ErrorKind::kHttp:
      break;
  }
  const auto* http = dynamic_cast<const HttpError*>(&e);
  int status = http ? http->status() : 0;
  if (status == 401) return kExitAuth;
  if (status == 403) return kExitForbidden;
  if (status == 409) return kExitConflict;
  if (status >= 500) return kExitServer;
  return kExitHttp;
}

int RunClient(const ClientFlags& flags, const std::function<int()>& body) {
  try {
    return body();
  } catch (const HubError& e) {
    int code = ExitCodeFor(e);
    if (flags.json) {
      nlohmann::json j = {{"error", e.what()}, {"kind", ErrorKindName(e.kind())}, {"exit", code}};
      if (const auto* http = dynamic_cast<const HttpError*>(&e)) {
        j["status"] = http->status();
        j["message"] = http->server_message();
        j["requestId"] = http->request_id();
      }
      std::cerr << j.dump() << "\n";
    } else {
      std::cerr << "error: " << ErrorKindName(e.kind()) << ": " << e.what() << "\n";
    }
    return code;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUnexpected;
  }
}

RepoType RepoTypeFlag(const std::string& value) {
  auto t = ParseRepoType(value);
  if (!t) {
    throw LocalError(ErrorKind::kInvalidArgument,
                     "unknown repo type '" + value + "': use model, dataset or space");
  }
  return *t;
}

void PrintJson(const nlohmann::json& j) { std::cout << j.dump(2) << "\n"; }

nlohmann::json RuntimeJson(const SpaceRuntime& rt) {
  auto j = nlohmann::json::parse(rt.raw_json, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

}  // namespace spacehub::cli
