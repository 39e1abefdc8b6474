// See jobs_common.h.
#include "cli/jobs_common.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "client/config.h"

namespace spacehub::cli {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LocalError(ErrorKind::kInvalidArgument, "cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The token `hf` would send: --token, HF_TOKEN, $HF_HOME/token.
std::string SavedToken(const ClientFlags& flags) {
  ClientOptions o;
  if (!flags.token.empty()) o.token = flags.token;
  return client::detail::ResolveConfig(o, client::detail::ProcessEnv()).token;
}

// Adds each pair of the dotenv texts to `out`; a bare KEY is resolved by `bare`.
template <typename Bare>
void AddPairs(const std::vector<std::string>& texts, std::map<std::string, std::string>* out,
              const Bare& bare) {
  for (const std::string& text : texts) {
    for (auto& [key, value] : client::ParseDotenv(text)) {
      (*out)[key] = value ? *value : bare(key);
    }
  }
}

std::string FromEnvironment(const std::string& key) {
  const char* value = std::getenv(key.c_str());
  if (value == nullptr) {
    throw LocalError(ErrorKind::kInvalidArgument,
                     key + " has no value and is not set in the environment");
  }
  return value;
}

}  // namespace

void AddJobClientFlags(CLI::App* cmd, JobFlags* f) {
  AddClientFlags(cmd, &f->client);
  cmd->add_option("--namespace", f->ns, "user or organization the jobs belong to (default: you)");
}

void AddJobSpecFlags(CLI::App* cmd, JobFlags* f) {
  cmd->add_option("--flavor", f->flavor, "hardware flavor (see `spacehub jobs hardware`)")
      ->capture_default_str();
  // One value per flag (CLI11's vector options would otherwise swallow IMAGE and the command).
  cmd->add_option("-e,--env", f->env, "environment variable KEY=VALUE (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--env-file", f->env_file, "read environment variables from a dotenv file");
  cmd->add_option("-s,--secrets", f->secrets,
                  "secret KEY=VALUE (repeatable); a bare HF_TOKEN sends your saved token")
      ->allow_extra_args(false);
  cmd->add_option("--secrets-file", f->secrets_file, "read secrets from a dotenv file");
  cmd->add_option("--timeout", f->timeout, "stop the job after this long: 90, 90s, 30m, 1.5h, 2d");
  cmd->add_option("-l,--label", f->labels, "label KEY=VALUE (repeatable)")->allow_extra_args(false);
  cmd->add_option("image", f->image,
                  "Docker image, or a Space as hf.co/spaces/NS/NAME to reuse its image")
      ->required();
  // The command follows IMAGE and keeps its own options: `run python:3.12 python -c …`.
  cmd->prefix_command();
}

JobSpec JobSpecFromFlags(const JobFlags& f, const std::vector<std::string>& command) {
  JobSpec spec;
  spec.image = f.image;
  spec.command = command;
  spec.flavor = f.flavor;
  std::vector<std::string> env = f.env, secrets = f.secrets;
  if (!f.env_file.empty()) env.insert(env.begin(), ReadFile(f.env_file));
  if (!f.secrets_file.empty()) secrets.insert(secrets.begin(), ReadFile(f.secrets_file));
  AddPairs(env, &spec.env, FromEnvironment);
  AddPairs(secrets, &spec.secrets, [&f](const std::string& key) {
    if (key != "HF_TOKEN") return FromEnvironment(key);
    std::string token = SavedToken(f.client);
    if (token.empty()) {
      throw LocalError(ErrorKind::kAuthRequired, "-s HF_TOKEN: no saved token to send");
    }
    return token;
  });
  AddPairs(f.labels, &spec.labels, [](const std::string& key) -> std::string {
    throw LocalError(ErrorKind::kInvalidArgument, "label " + key + " has no value");
  });
  if (!f.timeout.empty()) spec.timeout_seconds = client::ParseJobTimeout(f.timeout);
  return spec;
}

std::string JobImage(const std::optional<std::string>& docker_image,
                     const std::optional<std::string>& space_id) {
  if (docker_image) return *docker_image;
  return space_id.value_or("-");
}

std::string JoinCommand(const std::vector<std::string>& command,
                        const std::vector<std::string>& arguments) {
  std::string out;
  for (const auto* list : {&command, &arguments}) {
    for (const std::string& word : *list) {
      if (!out.empty()) out += ' ';
      out += word;
    }
  }
  return out.empty() ? "-" : out;
}

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  constexpr size_t kMaxCell = 40;
  auto cell = [](const std::string& s) {
    std::string one_line = s.substr(0, kMaxCell);
    std::replace(one_line.begin(), one_line.end(), '\n', ' ');
    return s.size() > kMaxCell ? one_line.substr(0, kMaxCell - 3) + "..." : one_line;
  };
  std::vector<size_t> widths(header.size());
  for (size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], cell(row[i]).size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < widths.size(); ++i) {
      std::string text = i < row.size() ? cell(row[i]) : "";
      if (i + 1 < widths.size()) text.resize(widths[i] + 2, ' ');
      line += text;
    }
    std::cout << line << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

}  // namespace spacehub::cli
