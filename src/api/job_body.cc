#include "api/job_body.h"

#include <cmath>

namespace spacehub::api {
namespace {

// The value under `camel` or, failing that, `snake`; null when neither.
const nlohmann::json& Field(const nlohmann::json& obj, const char* camel, const char* snake) {
  static const nlohmann::json kNull;
  if (auto it = obj.find(camel); it != obj.end()) return *it;
  if (snake) {
    if (auto it = obj.find(snake); it != obj.end()) return *it;
  }
  return kNull;
}

Result<std::vector<std::string>> StringList(const nlohmann::json& v, const char* name) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array())
    return Status::InvalidArgument(std::string(name) + " must be a list of strings");
  for (const auto& e : v) {
    if (!e.is_string()) {
      return Status::InvalidArgument(std::string(name) + " must be a list of strings");
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> StringMap(const nlohmann::json& v, const char* name) {
  std::map<std::string, std::string> out;
  if (v.is_null()) return out;
  if (!v.is_object()) {
    return Status::InvalidArgument(std::string(name) + " must be an object of strings");
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it.value().is_null()) continue;  // an unset variable
    if (!it.value().is_string()) {
      return Status::InvalidArgument(std::string(name) + "." + it.key().substr(0, 100) +
                                     " must be a string");
    }
    out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

// A timeout as the clients send it: seconds (integer or float), or "90", "1.5h", "30m", "2d".
Result<std::optional<int64_t>> Timeout(const nlohmann::json& v) {
  if (v.is_null()) return std::optional<int64_t>();
  double seconds = 0;
  if (v.is_number()) {
    seconds = v.get<double>();
  } else if (v.is_string()) {
    std::string s = v.get<std::string>();
    double unit = 1;
    if (!s.empty()) {
      switch (s.back()) {
        case 's':
          s.pop_back();
          break;
        case 'm':
          unit = 60;
          s.pop_back();
          break;
        case 'h':
          unit = 3600;
          s.pop_back();
          break;
        case 'd':
          unit = 86400;
          s.pop_back();
          break;
        default:
          break;
      }
    }
    size_t used = 0;
    try {
      seconds = std::stod(s, &used) * unit;
    } catch (const std::exception&) {
      used = 0;
    }
    if (s.empty() || used != s.size()) {
      return Status::InvalidArgument("Invalid timeout '" + v.get<std::string>().substr(0, 40) +
                                     "': use seconds, or a number with s, m, h or d");
    }
  } else {
    return Status::InvalidArgument("timeoutSeconds must be a number of seconds");
  }
  if (!std::isfinite(seconds) || seconds < 1 || seconds > 1e9) {
    return Status::InvalidArgument("timeoutSeconds must be a positive number of seconds");
  }
  return std::optional<int64_t>(static_cast<int64_t>(seconds));
}

bool Present(const nlohmann::json& v) {
  return !v.is_null() && !(v.is_array() && v.empty()) && !(v.is_object() && v.empty()) &&
         !(v.is_boolean() && !v.get<bool>());
}

}  // namespace

Result<service::JobSpec> ParseJobSpec(const nlohmann::json& body) {
  if (!body.is_object()) return Status::InvalidArgument("The job spec must be a JSON object");
  service::JobSpec spec;
  const auto& image = Field(body, "dockerImage", "docker_image");
  const auto& space = Field(body, "spaceId", "space_id");
  if (!image.is_null()) {
    if (!image.is_string()) return Status::InvalidArgument("dockerImage must be a string");
    spec.docker_image = image.get<std::string>();
  }
  if (!space.is_null()) {
    if (!space.is_string()) return Status::InvalidArgument("spaceId must be a string");
    spec.space_id = space.get<std::string>();
  }
  SH_ASSIGN_OR_RETURN(spec.command, StringList(Field(body, "command", nullptr), "command"));
  SH_ASSIGN_OR_RETURN(spec.arguments, StringList(Field(body, "arguments", nullptr), "arguments"));
  SH_ASSIGN_OR_RETURN(spec.environment,
                      StringMap(Field(body, "environment", "env"), "environment"));
  SH_ASSIGN_OR_RETURN(spec.secrets, StringMap(Field(body, "secrets", nullptr), "secrets"));
  SH_ASSIGN_OR_RETURN(spec.labels, StringMap(Field(body, "labels", nullptr), "labels"));
  const auto& flavor = Field(body, "flavor", nullptr);
  if (!flavor.is_null()) {
    if (!flavor.is_string()) return Status::InvalidArgument("flavor must be a string");
    spec.flavor = flavor.get<std::string>();
  }
  SH_ASSIGN_OR_RETURN(spec.timeout_seconds,
                      Timeout(Field(body, "timeoutSeconds", "timeout_seconds")));
  if (spec.timeout_seconds == std::nullopt) {
    SH_ASSIGN_OR_RETURN(spec.timeout_seconds, Timeout(Field(body, "timeout", nullptr)));
  }
  for (const char* unsupported : {"volumes", "expose", "ssh", "resourceGroupId"}) {
    if (Present(Field(body, unsupported, nullptr))) {
      return Status::InvalidArgument(std::string("'") + unsupported +
                                     "' is not supported by this hub's jobs");
    }
  }
  const auto& arch = Field(body, "arch", nullptr);
  if (!arch.is_null() && arch != "amd64" && arch != "x86_64") {
    return Status::InvalidArgument("This hub runs jobs on amd64 only");
  }
  return spec;
}

Result<service::ScheduledJobInput> ParseScheduledJob(const nlohmann::json& body) {
  if (!body.is_object()) return Status::InvalidArgument("The body must be a JSON object");
  service::ScheduledJobInput in;
  const auto& spec = Field(body, "jobSpec", "job_spec");
  if (!spec.is_object()) return Status::InvalidArgument("jobSpec must be an object");
  SH_ASSIGN_OR_RETURN(in.spec, ParseJobSpec(spec));
  // Labels may sit beside the spec (newer clients) or in it.
  const auto& labels = Field(body, "labels", nullptr);
  if (!labels.is_null()) {
    SH_ASSIGN_OR_RETURN(in.spec.labels, StringMap(labels, "labels"));
  }
  const auto& schedule = Field(body, "schedule", nullptr);
  if (!schedule.is_string()) return Status::InvalidArgument("schedule must be a string");
  in.schedule = schedule.get<std::string>();
  for (auto [key, out] : {std::pair{"suspend", &in.suspend}, {"concurrency", &in.concurrency}}) {
    const auto& v = Field(body, key, nullptr);
    if (v.is_null()) continue;
    if (!v.is_boolean()) return Status::InvalidArgument(std::string(key) + " must be a boolean");
    *out = v.get<bool>();
  }
  return in;
}

Result<std::map<std::string, std::string>> ParseLabels(const nlohmann::json& body) {
  if (!body.is_object()) return Status::InvalidArgument("The body must be a JSON object");
  const auto& labels = Field(body, "labels", nullptr);
  if (!labels.is_object()) return Status::InvalidArgument("labels must be an object of strings");
  return StringMap(labels, "labels");
}

}  // namespace spacehub::api
