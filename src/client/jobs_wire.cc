// See jobs_wire.h.
#include "client/jobs_wire.h"

#include <array>

#include "spacehub/errors.h"

namespace spacehub::client::detail {

using nlohmann::json;

namespace {

// The value under the camelCase key, else under the snake_case one; nullptr when neither.
const json* Find(const json& j, const char* camel, const char* snake = nullptr) {
  if (!j.is_object()) return nullptr;
  if (auto it = j.find(camel); it != j.end() && !it->is_null()) return &*it;
  if (snake != nullptr) {
    if (auto it = j.find(snake); it != j.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

std::string Str(const json& j, const char* camel, const char* snake = nullptr) {
  const json* v = Find(j, camel, snake);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<std::string> OptStr(const json& j, const char* camel, const char* snake = nullptr) {
  const json* v = Find(j, camel, snake);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

bool Bool(const json& j, const char* key) {
  const json* v = Find(j, key);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

std::vector<std::string> Strings(const json& j, const char* camel, const char* snake = nullptr) {
  std::vector<std::string> out;
  const json* v = Find(j, camel, snake);
  if (v == nullptr) return out;
  if (v->is_array()) {
    for (const auto& item : *v) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  } else if (v->is_object()) {  // secrets as {name: value}: the names
    for (const auto& [key, unused] : v->items()) out.push_back(key);
  }
  return out;
}

// Non-string values are kept as their JSON text, so a number in an env map is not lost.
std::map<std::string, std::string> StringMap(const json& j, const char* camel,
                                             const char* snake = nullptr) {
  std::map<std::string, std::string> out;
  const json* v = Find(j, camel, snake);
  if (v == nullptr || !v->is_object()) return out;
  for (const auto& [key, value] : v->items()) {
    out[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return out;
}

std::optional<int64_t> OptInt(const json& j, const char* camel, const char* snake = nullptr) {
  const json* v = Find(j, camel, snake);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  if (v->is_number_float()) return static_cast<int64_t>(v->get<double>());
  return v->get<int64_t>();
}

[[noreturn]] void MissingKey(const char* what, const char* key) {
  throw HttpError(ErrorKind::kHttp, 200, "", std::string(what) + " answer lacks '" + key + "'", "",
                  "");
}

JobOwner ParseOwner(const json& j, const char* what) {
  const json* owner = Find(j, "owner");
  if (owner == nullptr || !owner->is_object()) MissingKey(what, "owner");
  return {Str(*owner, "id"), Str(*owner, "name"), Str(*owner, "type")};
}

// hf.co/spaces/ns/name → ns/name; nullopt when `image` names no Space.
std::optional<std::string> SpaceIdOf(const std::string& image) {
  static constexpr std::array<std::string_view, 4> kPrefixes = {
      "https://huggingface.co/spaces/", "https://hf.co/spaces/", "huggingface.co/spaces/",
      "hf.co/spaces/"};
  for (std::string_view prefix : kPrefixes) {
    if (image.rfind(prefix, 0) == 0) return image.substr(prefix.size());
  }
  return std::nullopt;
}

}  // namespace

json JobSpecJson(const JobSpec& spec) {
  if (spec.image.empty()) throw LocalError(ErrorKind::kInvalidArgument, "the job has no image");
  json j = {{"command", spec.command},
            {"arguments", spec.arguments},
            {"environment", json::object()},
            {"flavor", spec.flavor.empty() ? std::string("cpu-basic") : spec.flavor}};
  for (const auto& [key, value] : spec.env) j["environment"][key] = value;
  if (std::optional<std::string> space = SpaceIdOf(spec.image)) {
    if (space->empty() || space->find('/') == std::string::npos) {
      throw LocalError(ErrorKind::kInvalidArgument,
                       "a Space image names the Space as namespace/name: " + spec.image);
    }
    j["spaceId"] = *space;
  } else {
    j["dockerImage"] = spec.image;
  }
  if (!spec.secrets.empty()) j["secrets"] = spec.secrets;
  if (spec.timeout_seconds && *spec.timeout_seconds > 0) {
    j["timeoutSeconds"] = *spec.timeout_seconds;
  }
  if (!spec.labels.empty()) j["labels"] = spec.labels;
  return j;
}

JobInfo ParseJobInfo(const json& j, const std::string& endpoint) {
  JobInfo info;
  if (!j.is_object() || Find(j, "id") == nullptr) MissingKey("job", "id");
  const json& id = *Find(j, "id");
  info.id = id.is_string() ? id.get<std::string>() : id.dump();
  info.owner = ParseOwner(j, "job");
  const json* status = Find(j, "status");
  if (status == nullptr || !status->is_object()) MissingKey("job", "status");
  info.status.stage = Str(*status, "stage");
  info.status.message = Str(*status, "message");
  info.status.expose_urls = Strings(*status, "exposeUrls", "expose_urls");
  info.status.ssh_url = Str(*status, "sshUrl", "ssh_url");
  info.created_at = Str(j, "createdAt", "created_at");
  info.started_at = Str(j, "startedAt", "started_at");
  info.finished_at = Str(j, "finishedAt", "finished_at");
  info.docker_image = OptStr(j, "dockerImage", "docker_image");
  info.space_id = OptStr(j, "spaceId", "space_id");
  info.command = Strings(j, "command");
  info.arguments = Strings(j, "arguments");
  info.env = StringMap(j, "environment");
  info.secrets = Strings(j, "secrets");
  info.flavor = Str(j, "flavor");
  info.labels = StringMap(j, "labels");
  info.url = endpoint + "/jobs/" + info.owner.name + "/" + info.id;
  info.raw_json = j.dump();
  return info;
}

ScheduledJobInfo ParseScheduledJobInfo(const json& j) {
  ScheduledJobInfo info;
  if (!j.is_object() || Find(j, "id") == nullptr) MissingKey("scheduled job", "id");
  const json& id = *Find(j, "id");
  info.id = id.is_string() ? id.get<std::string>() : id.dump();
  info.owner = ParseOwner(j, "scheduled job");
  info.created_at = Str(j, "createdAt", "created_at");
  info.schedule = Str(j, "schedule");
  info.suspend = Bool(j, "suspend");
  info.concurrency = Bool(j, "concurrency");
  if (const json* status = Find(j, "status"); status != nullptr && status->is_object()) {
    if (const json* last = Find(*status, "lastJob", "last_job"); last != nullptr) {
      info.last_job_id = Str(*last, "id");
      info.last_job_at = Str(*last, "at");
    }
    info.next_job_run_at = Str(*status, "nextJobRunAt", "next_job_run_at");
  }
  static const json kEmpty = json::object();
  const json* spec = Find(j, "jobSpec", "job_spec");
  const json& s = spec != nullptr && spec->is_object() ? *spec : kEmpty;
  info.docker_image = OptStr(s, "dockerImage", "docker_image");
  info.space_id = OptStr(s, "spaceId", "space_id");
  info.command = Strings(s, "command");
  info.arguments = Strings(s, "arguments");
  info.env = StringMap(s, "environment");
  info.secrets = Strings(s, "secrets");
  info.flavor = Str(s, "flavor");
  info.timeout_seconds = OptInt(s, "timeout");
  if (!info.timeout_seconds) info.timeout_seconds = OptInt(s, "timeoutSeconds", "timeout_seconds");
  info.labels = StringMap(s, "labels");
  info.raw_json = j.dump();
  return info;
}

JobHardware ParseJobHardware(const json& j) {
  JobHardware hw;
  hw.name = Str(j, "name");
  hw.pretty_name = Str(j, "prettyName", "pretty_name");
  hw.cpu = Str(j, "cpu");
  hw.ram = Str(j, "ram");
  hw.unit_cost_micro_usd = OptInt(j, "unitCostMicroUSD", "unit_cost_micro_usd").value_or(0);
  if (const json* usd = Find(j, "unitCostUSD", "unit_cost_usd");
      usd != nullptr && usd->is_number()) {
    hw.unit_cost_usd = usd->get<double>();
  }
  hw.unit_label = Str(j, "unitLabel", "unit_label");
  if (const json* acc = Find(j, "accelerator"); acc != nullptr && acc->is_object()) {
    const json* quantity = Find(*acc, "quantity");
    hw.accelerator = JobAccelerator{
        Str(*acc, "type"), Str(*acc, "model"),
        quantity == nullptr
            ? ""
            : (quantity->is_string() ? quantity->get<std::string>() : quantity->dump()),
        Str(*acc, "vram"), Str(*acc, "manufacturer")};
  }
  hw.raw_json = j.dump();
  return hw;
}

JobLogEvent ParseJobLogEvent(const std::string& data, JobLogLine* line) {
  if (data.empty() || data.front() != '{') return JobLogEvent::kNotAnEvent;
  json j = json::parse(data, nullptr, false);
  if (!j.is_object()) return JobLogEvent::kNotAnEvent;
  const json* text = Find(j, "data");
  if (text == nullptr || !text->is_string()) return JobLogEvent::kNotAnEvent;
  line->data = text->get<std::string>();
  line->timestamp = Str(j, "timestamp");
  if (line->data.rfind("===== Job started", 0) == 0) return JobLogEvent::kHidden;
  return JobLogEvent::kLine;
}

}  // namespace spacehub::client::detail
