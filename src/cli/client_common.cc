// See client_common.h.
#include "cli/client_common.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

namespace spacehub::cli {

const char* const kExitCodeHelp =
    "Exit codes: 0 ok, 1 unexpected, 2 usage (bad arguments, bad repo id), 3 no token / 401, 4 "
    "repository not found, 5 revision not found, 6 file not found, 7 bad request (400), 8 "
    "forbidden, 9 conflict (exists), 10 other HTTP error, 11 server error (5xx, after retries), 12 "
    "network error (refused, DNS, TLS, timeout), 13 local I/O error (disk full), 14 timeout, 15 "
    "offline (HF_HUB_OFFLINE) and not in the local cache.";

void AddClientFlags(CLI::App* cmd, ClientFlags* flags) {
  cmd->add_option("--token", flags->token, "access token (default: HF_TOKEN, then $HF_HOME/token)");
  cmd->add_option("--endpoint", flags->endpoint, "hub URL (default: HF_ENDPOINT)");
  cmd->add_flag("--json", flags->json, "print machine-readable JSON on stdout");
  cmd->footer(kExitCodeHelp);
}

bool StdoutIsTerminal() { return ::isatty(STDOUT_FILENO) == 1; }

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

namespace {

// A one-line bar redrawn in place: label, bar, percent, MB done of total, rate. Redrawn at most
// every 100 ms (and at the end); the library calls it one call at a time.
class ProgressBar {
 public:
  void operator()(const std::string& label, uint64_t done, uint64_t total) {
    auto now = std::chrono::steady_clock::now();
    if (label != label_) {
      label_ = label;
      start_ = now;
      last_ = {};
    }
    bool finished = total > 0 && done >= total;
    if (!finished && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? done / 1e6 / secs : 0;
    constexpr int kWidth = 30;
    int filled = total ? static_cast<int>(done * kWidth / total) : 0;
    std::string bar(static_cast<size_t>(std::min(filled, kWidth)), '#');
    bar.resize(kWidth, ' ');
    int pct = total ? static_cast<int>(done * 100 / total) : 0;
    std::fprintf(stderr, "\r%s [%s] %3d%% %.1f/%.1f MB %.1f MB/s ", label_.c_str(), bar.c_str(),
                 pct, done / 1e6, total / 1e6, rate);
    if (finished) {
      std::fprintf(stderr, "\n");
      label_.clear();
    }
    std::fflush(stderr);
  }

 private:
  std::string label_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace

std::unique_ptr<HubClient> MakeClient(const ClientFlags& flags, bool with_progress,
                                      int max_workers) {
  ClientOptions o;
  o.max_workers = max_workers;
  o.use_xet = !flags.no_xet;
  if (!flags.token.empty()) o.token = flags.token;
  if (!flags.endpoint.empty()) o.endpoint = flags.endpoint;
  if (with_progress && !flags.json && StderrIsTerminal()) {
    auto bar = std::make_shared<ProgressBar>();
    o.progress = [bar](const std::string& label, uint64_t done, uint64_t total) {
      (*bar)(label, done, total);
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
      return kExitBadRequest;
    case ErrorKind::kInvalidArgument:
      return kExitUsage;
    case ErrorKind::kAuthRequired:
      return kExitAuth;
    case ErrorKind::kNetwork:
      return kExitNetwork;
    case ErrorKind::kLocalIo:
      return kExitLocalIo;
    case ErrorKind::kTimeout:
      return kExitTimeout;
    case ErrorKind::kLocalEntryNotFound:
      return kExitNotCached;
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
