// SpaceService::Logs: reads a Space's stored build or run log for the logs API. The engine writes
// run-log lines as "<epoch millis> <text>" and build-log lines as plain text; both are redacted
// when written, and again here with the secrets as they are now (a secret added later is hidden
// in older lines too).
#include <deque>
#include <fstream>

#include "runtime/redactor.h"
#include "service/access.h"
#include "service/space_service.h"

namespace spacehub::service {

Result<std::vector<SpaceLogLine>> SpaceService::Logs(const Caller& who, const RepoId& id,
                                                     bool build, size_t limit) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  std::vector<SpaceLogLine> out;
  if (!hub_.runtime) return out;
  std::ifstream in(hub_.runtime->LogPath(row.uid, build));
  std::deque<SpaceLogLine> lines;
  std::string line;
  while (std::getline(in, line)) {
    SpaceLogLine l;
    size_t digits = 0;
    while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) {
      ++digits;
    }
    if (digits == 13 && line.size() > 13 && line[13] == ' ') {
      l.at = std::stoll(line.substr(0, 13));
      l.text = line.substr(14);
    } else {
      l.text = std::move(line);
    }
    lines.push_back(std::move(l));
    if (lines.size() > limit) lines.pop_front();
  }
  std::vector<std::string> values;
  if (auto secrets = SecretEnvironment(row); secrets.ok()) {
    for (auto& [k, v] : *secrets) values.push_back(v);
  }
  runtime::Redactor redact(std::move(values));
  for (auto& l : lines) {
    l.text = redact.Apply(l.text);
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::filesystem::path> SpaceService::StaticFile(const Caller& who, const RepoId& id,
                                                       const std::string& path) {
  namespace fs = std::filesystem;
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireReadable(hub_, who, id));
  std::optional<fs::path> root = hub_.runtime ? hub_.runtime->StaticRoot(row.id) : std::nullopt;
  if (!root) return Status::NotFound("The Space " + id.Full() + " is not running a static app");
  std::string rel = path.empty() || path.back() == '/' ? path + "index.html" : path;
  fs::path p(rel);
  for (const auto& part : p) {
    std::string s = part.string();
    // No way out of the build, and none of the hub's own files (venv, markers) are served.
    if (s == ".." || s == "." || s.empty() || s.front() == '.' || p.is_absolute()) {
      return Status::EntryNotFound(path);
    }
  }
  std::error_code ec;
  fs::path full = fs::weakly_canonical(*root / p, ec);
  fs::path base = fs::weakly_canonical(*root, ec);
  auto rel_check = full.lexically_relative(base);
  if (ec || rel_check.empty() || *rel_check.begin() == ".." || !fs::is_regular_file(full, ec)) {
    return Status::EntryNotFound(path);
  }
  return full;
}

}  // namespace spacehub::service
