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

}  // namespace spacehub::service
