#include "web/job_view.h"

#include "core/time_util.h"
#include "service/job_spec.h"
#include "web/format.h"

namespace spacehub::web {
namespace {

nlohmann::json SpecOf(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json::object();
}

std::vector<std::string> Strings(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.contains(key) || !j[key].is_array()) return out;
  for (const auto& v : j[key]) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// The command line as one would type it: words with spaces or quotes single-quoted.
std::string CommandLine(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    const bool plain =
        !w.empty() && w.find_first_of(" \t\n'\"\\$`;&|<>(){}*?!#~") == std::string::npos;
    if (plain) {
      out += w;
      continue;
    }
    out += '\'';
    for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

nlohmann::json Time(int64_t ms, int64_t now_ms) {
  if (ms <= 0) return nullptr;
  return {{"iso", FormatIsoMillis(ms)}, {"age", Age(ms, now_ms)}};
}

}  // namespace

std::string JobPath(const db::JobRow& row) { return "/jobs/" + row.owner_name + "/" + row.id; }

std::string DurationText(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  const int64_t h = seconds / 3600;
  const int64_t m = (seconds % 3600) / 60;
  const int64_t s = seconds % 60;
  std::string out;
  if (h > 0) out += std::to_string(h) + "h ";
  if (h > 0 || m > 0) out += std::to_string(m) + "m ";
  return out + std::to_string(s) + "s";
}

nlohmann::json JobViewData(const db::JobRow& row, int64_t now_ms) {
  const nlohmann::json spec = SpecOf(row.spec);
  const std::string stage(db::JobStageName(row.stage));
  const bool final = db::IsFinal(row.stage);
  std::vector<std::string> words = Strings(spec, "command");
  for (auto& a : Strings(spec, "arguments")) words.push_back(std::move(a));

  nlohmann::json data = {{"id", row.id},
                         {"ns", row.owner_name},
                         {"path", JobPath(row)},
                         {"stage", stage},
                         {"stage_class", "stage-" + stage},
                         {"final", final},
                         {"message", row.message},
                         {"cancel_requested", row.cancel_requested && !final},
                         {"flavor", row.flavor},
                         {"command", CommandLine(words)},
                         {"created", Time(row.created_at, now_ms)},
                         {"started", Time(row.started_at, now_ms)},
                         {"finished", Time(row.finished_at, now_ms)}};
  if (row.exit_code) data["exit_code"] = std::to_string(*row.exit_code);
  if (spec.contains("spaceId") && spec["spaceId"].is_string()) {
    data["space"] = spec["spaceId"].get<std::string>();
  }
  if (spec.contains("dockerImage") && spec["dockerImage"].is_string()) {
    data["image"] = spec["dockerImage"].get<std::string>();
  }
  if (row.timeout_seconds > 0) data["timeout"] = DurationText(row.timeout_seconds);

  // Waiting (created to start), running (start to end or now), in all (created to end or now).
  const int64_t end = row.finished_at > 0 ? row.finished_at : now_ms;
  const int64_t start = row.started_at > 0 ? row.started_at : end;
  data["waited"] = DurationText((start - row.created_at) / 1000);
  if (row.started_at > 0) data["ran"] = DurationText((end - row.started_at) / 1000);
  data["total"] = DurationText((end - row.created_at) / 1000);

  nlohmann::json secrets = nlohmann::json::array();
  for (const auto& name : Strings(spec, "secrets")) secrets.push_back(name);
  data["secrets"] = std::move(secrets);
  nlohmann::json env = nlohmann::json::array();
  if (spec.contains("environment") && spec["environment"].is_object()) {
    for (const auto& [k, v] : spec["environment"].items()) {
      env.push_back({{"name", k}, {"value", v.is_string() ? v.get<std::string>() : v.dump()}});
    }
  }
  data["environment"] = std::move(env);
  nlohmann::json labels = nlohmann::json::array();
  for (const auto& [k, v] : service::LabelsFromText(row.labels)) {
    labels.push_back({{"key", k}, {"value", v}});
  }
  data["labels"] = std::move(labels);
  if (!row.scheduled_job_id.empty()) data["scheduled_job_id"] = row.scheduled_job_id;
  return data;
}

}  // namespace spacehub::web
