#include "service/space_config.h"

#include <algorithm>
#include <array>
#include <regex>

#include "core/repo_id.h"
#include "service/front_matter.h"

namespace spacehub::service {
namespace {

constexpr std::array<std::string_view, 4> kSdks = {"gradio", "streamlit", "docker", "static"};
constexpr std::array<std::string_view, 8> kColors = {"red",    "yellow", "green", "blue",
                                                     "indigo", "purple", "pink",  "gray"};

ConfigCheck Error(std::string message) {
  return {wire::SpaceStage::kConfigError, std::move(message), {}};
}

bool OneOf(std::string_view v, const auto& list) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// "30m", "1h", "90s", or a plain number of seconds.
std::optional<int64_t> ParseDuration(const nlohmann::json& v) {
  if (v.is_number_integer() && v.get<int64_t>() > 0) return v.get<int64_t>();
  if (!v.is_string()) return std::nullopt;
  static const std::regex kDuration("^([0-9]{1,9})\\s*([smhd]?)$");
  std::smatch m;
  const std::string& s = v.get_ref<const std::string&>();
  if (!std::regex_match(s, m, kDuration)) return std::nullopt;
  int64_t n = std::stoll(m[1].str());
  char unit = m[2].length() ? m[2].str()[0] : 's';
  int64_t mult = unit == 'd' ? 86400 : unit == 'h' ? 3600 : unit == 'm' ? 60 : 1;
  if (n <= 0) return std::nullopt;
  return n * mult;
}

// Each step reads some keys of the front matter into `c`; the error message of the first invalid
// key, or nullopt.
using KeyError = std::optional<std::string>;

KeyError ReadSdk(const nlohmann::json& card, std::string_view repo_sdk, SpaceConfig& c) {
  if (card.contains("sdk")) {
    if (!card["sdk"].is_string() || !OneOf(card["sdk"].get<std::string>(), kSdks)) {
      return "Invalid 'sdk' in README.md: expected one of gradio, streamlit, docker, static";
    }
    c.sdk = card["sdk"].get<std::string>();
  } else if (!repo_sdk.empty()) {
    c.sdk = std::string(repo_sdk);
  } else {
    return "Missing 'sdk' in the README.md configuration";
  }
  if (card.contains("sdk_version")) {
    const auto& v = card["sdk_version"];
    if (v.is_string()) {
      c.sdk_version = v.get<std::string>();
    } else if (v.is_number()) {
      c.sdk_version = v.dump();
    } else {
      return "Invalid 'sdk_version' in README.md: expected a version string";
    }
  }
  return std::nullopt;
}

// title, colorFrom, colorTo, python_version.
KeyError ReadLooks(const nlohmann::json& card, SpaceConfig& c) {
  if (card.contains("title")) {
    if (!card["title"].is_string() && !card["title"].is_number()) {
      return "Invalid 'title' in README.md: expected a string";
    }
    c.title = card["title"].is_string() ? card["title"].get<std::string>() : card["title"].dump();
  }
  for (const char* key : {"colorFrom", "colorTo"}) {
    if (card.contains(key) &&
        (!card[key].is_string() || !OneOf(card[key].get<std::string>(), kColors))) {
      return std::string("Invalid '") + key +
             "' in README.md: expected one of red, yellow, green, blue, indigo, purple, pink, gray";
    }
  }
  if (card.contains("python_version")) {
    const auto& v = card["python_version"];
    if (!v.is_string() && !v.is_number()) {
      return "Invalid 'python_version' in README.md: expected a version such as \"3.10\"";
    }
    c.python_version = v.is_string() ? v.get<std::string>() : v.dump();
  }
  return std::nullopt;
}

// app_port, startup_duration_timeout.
KeyError ReadRuntime(const nlohmann::json& card, SpaceConfig& c) {
  if (card.contains("app_port")) {
    const auto& v = card["app_port"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 65535) {
      return "Invalid 'app_port' in README.md: expected a port number between 1 and 65535";
    }
    c.app_port = v.get<int64_t>();
  }
  if (card.contains("startup_duration_timeout")) {
    auto d = ParseDuration(card["startup_duration_timeout"]);
    if (!d) {
      return "Invalid 'startup_duration_timeout' in README.md: expected a duration such as "
             "\"30m\" or \"1h\"";
    }
    c.startup_duration_timeout_seconds = *d;
  }
  return std::nullopt;
}

// The file the SDK runs: Dockerfile for docker, else app_file or the SDK's default.
KeyError ReadAppFile(const nlohmann::json& card, SpaceConfig& c) {
  if (c.sdk == "docker") {
    c.app_file = "Dockerfile";
  } else if (card.contains("app_file")) {
    if (!card["app_file"].is_string() ||
        !ValidateRepoPath(card["app_file"].get<std::string>()).ok()) {
      return "Invalid 'app_file' in README.md: expected a relative path such as app.py";
    }
    c.app_file = card["app_file"].get<std::string>();
  } else {
    c.app_file = c.sdk == "static" ? "index.html" : "app.py";
  }
  return std::nullopt;
}

}  // namespace

ConfigCheck CheckSpaceConfig(const std::optional<std::string>& readme, std::string_view repo_sdk,
                             const std::vector<std::string>& files) {
  nlohmann::json card = nlohmann::json::object();
  if (readme) {
    auto parsed = ParseFrontMatter(*readme);
    if (!parsed.ok()) return Error(parsed.status().message());
    if (parsed->is_object()) card = std::move(*parsed);
  }
  ConfigCheck out;
  SpaceConfig& c = out.config;
  if (KeyError e = ReadSdk(card, repo_sdk, c)) return Error(std::move(*e));
  if (KeyError e = ReadLooks(card, c)) return Error(std::move(*e));
  if (KeyError e = ReadRuntime(card, c)) return Error(std::move(*e));
  if (KeyError e = ReadAppFile(card, c)) return Error(std::move(*e));
  if (std::find(files.begin(), files.end(), c.app_file) == files.end()) {
    out.stage = wire::SpaceStage::kNoAppFile;
    out.message = "No application file: the " + c.sdk + " SDK runs '" + c.app_file +
                  "', which is not in the repository";
  }
  return out;
}

Result<ConfigCheck> CheckSpaceConfigAt(const repo::RepoStore& repos, const RepoId& id,
                                       const std::string& sha, std::string_view repo_sdk) {
  SH_ASSIGN_OR_RETURN(auto entries, repos.ListTree(id, sha, "", true));
  std::vector<std::string> files;
  for (auto& e : entries) {
    if (!e.is_dir) files.push_back(std::move(e.path));
  }
  std::optional<std::string> readme;
  if (auto text = repos.ReadFile(id, sha, "README.md"); text.ok()) readme = std::move(*text);
  return CheckSpaceConfig(readme, repo_sdk, files);
}

}  // namespace spacehub::service
