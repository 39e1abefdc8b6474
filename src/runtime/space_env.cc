#include "runtime/space_env.h"

#include <algorithm>
#include <cctype>

#include "core/space_host_label.h"

namespace spacehub::runtime {
namespace {

void Set(EnvList& env, const std::string& key, const std::string& value) {
  for (auto& [k, v] : env) {
    if (k == key) {
      v = value;
      return;
    }
  }
  env.emplace_back(key, value);
}

}  // namespace

EnvList BuildSpaceEnv(const SpaceIdentity& id, const std::map<std::string, std::string>& variables,
                      const std::map<std::string, std::string>& secrets) {
  EnvList env;
  // A sane base that the owner may override (PATH, HOME); the hub's variables come last.
  Set(env, "PATH", "/usr/local/bin:/usr/bin:/bin");
  Set(env, "HOME", "/home/user");
  Set(env, "LANG", "C.UTF-8");
  Set(env, "PYTHONUNBUFFERED", "1");
  for (const auto& [k, v] : variables) Set(env, k, v);
  for (const auto& [k, v] : secrets) Set(env, k, v);
  std::string port = std::to_string(id.port);
  Set(env, "SPACE_ID", id.ns + "/" + id.name);
  Set(env, "SPACE_AUTHOR_NAME", id.ns);
  Set(env, "SPACE_REPO_NAME", id.name);
  Set(env, "SPACE_TITLE", id.title.empty() ? id.name : id.title);
  Set(env, "SPACE_HOST", SpaceHostLabel(id.ns, id.name) + "." + id.host_domain);
  Set(env, "CPU_CORES", std::to_string(id.cpu_cores));
  Set(env, "MEMORY", std::to_string(id.memory_gb) + "Gi");
  Set(env, "ACCELERATOR", id.accelerator.empty() ? "none" : id.accelerator);
  Set(env, "SYSTEM", "spaces");
  Set(env, "PORT", port);
  Set(env, "GRADIO_SERVER_PORT", port);
  Set(env, "GRADIO_SERVER_NAME", "0.0.0.0");
  return env;
}

}  // namespace spacehub::runtime
