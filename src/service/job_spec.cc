#include "service/job_spec.h"

#include <algorithm>
#include <cctype>

namespace spacehub::service {
namespace {

constexpr size_t kMaxArgs = 4096;
constexpr size_t kMaxEntries = 256;
// Linux starts no program with one environment string ("NAME=value" and its NUL) over 128 KiB
// (MAX_ARG_STRLEN); run_uv_job sends a whole script in one variable, so say so up front.
constexpr size_t kMaxEnvStringBytes = 128 * 1024;
constexpr size_t kMaxSpecBytes = 4 << 20;  // everything together
constexpr size_t kMaxImageChars = 512;

bool ValidEnvName(const std::string& name) {
  if (name.empty() || name.size() > 256) return false;
  if (std::isdigit(static_cast<unsigned char>(name[0])) != 0) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; });
}

bool ValidLabelText(const std::string& s) {
  return s.size() <= 100 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
         });
}

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

Status CheckEntries(const std::map<std::string, std::string>& entries, const char* what,
                    size_t& total) {
  if (entries.size() > kMaxEntries) {
    return Status::InvalidArgument(std::string("Too many ") + what + " (at most " +
                                   std::to_string(kMaxEntries) + ")");
  }
  for (const auto& [k, v] : entries) {
    if (!ValidEnvName(k)) {
      return Status::InvalidArgument(std::string("Invalid ") + what + " name '" + k.substr(0, 64) +
                                     "': use letters, digits and '_', not starting with a digit");
    }
    if (HasNul(v)) {
      return Status::InvalidArgument(std::string("The value of ") + what + " '" + k +
                                     "' holds a NUL byte");
    }
    if (k.size() + v.size() + 2 > kMaxEnvStringBytes) {
      return Status::InvalidArgument(std::string("The value of ") + what + " '" + k + "' is " +
                                     std::to_string(v.size()) +
                                     " bytes: a program's environment string is at most 128 KiB "
                                     "(a script this large belongs in the Space or the image)");
    }
    total += k.size() + v.size();
  }
  return Status::Ok();
}

}  // namespace

Status ValidateLabels(const std::map<std::string, std::string>& labels) {
  if (labels.size() > 64) return Status::InvalidArgument("Too many labels (at most 64)");
  for (const auto& [k, v] : labels) {
    if (k.empty() || !ValidLabelText(k) || !ValidLabelText(v)) {
      return Status::InvalidArgument("Invalid label '" + k.substr(0, 100) +
                                     "': keys and values are at most 100 characters of "
                                     "letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

Status ValidateJobSpec(const JobSpec& spec, const CatalogData& catalog) {
  if (spec.docker_image.has_value() == spec.space_id.has_value()) {
    return Status::InvalidArgument("A job needs exactly one of dockerImage and spaceId");
  }
  if (spec.docker_image) {
    const std::string& img = *spec.docker_image;
    if (img.empty() || img.size() > kMaxImageChars || img[0] == '-' ||
        std::any_of(img.begin(), img.end(),
                    [](unsigned char c) { return std::isspace(c) != 0 || std::iscntrl(c) != 0; })) {
      return Status::InvalidArgument(
          "Invalid dockerImage: give an image name such as "
          "'python:3.12'");
    }
  }
  if (spec.space_id) {
    auto slash = spec.space_id->find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == spec.space_id->size()) {
      return Status::InvalidArgument("Invalid spaceId '" + spec.space_id->substr(0, 200) +
                                     "': expected 'namespace/name'");
    }
  }
  if (spec.command.empty() || spec.command[0].empty()) {
    return Status::InvalidArgument("A job needs a command");
  }
  if (spec.command.size() + spec.arguments.size() > kMaxArgs) {
    return Status::InvalidArgument("Too many command arguments");
  }
  size_t total = 0;
  for (const auto* list : {&spec.command, &spec.arguments}) {
    for (const auto& a : *list) {
      if (HasNul(a)) return Status::InvalidArgument("A command argument holds a NUL byte");
      total += a.size();
    }
  }
  SH_TRY(CheckEntries(spec.environment, "environment variable", total));
  SH_TRY(CheckEntries(spec.secrets, "secret", total));
  for (const auto& [k, v] : spec.secrets) {
    if (spec.environment.count(k) != 0) {
      return Status::InvalidArgument("'" + k + "' is both an environment variable and a secret");
    }
  }
  if (total > kMaxSpecBytes) return Status::PayloadTooLarge("The job spec is too large");
  if (spec.timeout_seconds &&
      (*spec.timeout_seconds <= 0 || *spec.timeout_seconds > kMaxJobTimeoutSeconds)) {
    return Status::InvalidArgument("timeoutSeconds must be between 1 and " +
                                   std::to_string(kMaxJobTimeoutSeconds));
  }
  if (!catalog.Find(spec.flavor)) {
    return Status::InvalidArgument("Unknown flavor '" + spec.flavor.substr(0, 100) +
                                   "': this hub offers " + catalog.Names());
  }
  return ValidateLabels(spec.labels);
}

nlohmann::json SpecJson(const JobSpec& spec) {
  nlohmann::json j = nlohmann::json::object();
  if (spec.docker_image) j["dockerImage"] = *spec.docker_image;
  if (spec.space_id) j["spaceId"] = *spec.space_id;
  j["command"] = spec.command;
  j["arguments"] = spec.arguments;
  j["environment"] = spec.environment;
  nlohmann::json names = nlohmann::json::array();
  for (const auto& [k, v] : spec.secrets) names.push_back(k);
  j["secrets"] = std::move(names);
  j["flavor"] = spec.flavor;
  j["timeoutSeconds"] = spec.timeout_seconds.value_or(kDefaultJobTimeoutSeconds);
  return j;
}

JobSpec SpecFromStored(const std::string& text) {
  JobSpec spec;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return spec;
  try {
    if (j.contains("dockerImage")) spec.docker_image = j["dockerImage"].get<std::string>();
    if (j.contains("spaceId")) spec.space_id = j["spaceId"].get<std::string>();
    spec.command = j.value("command", std::vector<std::string>{});
    spec.arguments = j.value("arguments", std::vector<std::string>{});
    spec.environment = j.value("environment", std::map<std::string, std::string>{});
    spec.flavor = j.value("flavor", std::string("cpu-basic"));
    if (j.contains("timeoutSeconds")) spec.timeout_seconds = j["timeoutSeconds"].get<int64_t>();
  } catch (const nlohmann::json::exception&) {
    return JobSpec{};
  }
  return spec;
}

std::string LabelsText(const std::map<std::string, std::string>& labels) {
  return nlohmann::json(labels).dump();
}

std::map<std::string, std::string> LabelsFromText(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

}  // namespace spacehub::service
