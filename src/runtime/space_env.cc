#include "runtime/space_env.h"

#include <algorithm>
#include <cctype>

#include "core/space_host_label.h"

namespace spacehub::runtime {
void SetEnv(EnvList& env, const std::string& key, const std::string& value) {
  for (auto& [k, v] : env) {
    if (k == key) {
      v = value;
      return;
    }
  }
  env.emplace_back(key, value);
}

EnvList BuildSpaceEnv(const SpaceIdentity& id, const std::map<std::string, std::string>& variables,
                      const std::map<std::string, std::string>& secrets) {
  EnvList env;
  // A sane base that the owner may override (PATH, HOME); the hub's variables come last.
  SetEnv(env, "PATH", "/usr/local/bin:/usr/bin:/bin");
  SetEnv(env, "HOME", "/home/user");
  SetEnv(env, "LANG", "C.UTF-8");
  SetEnv(env, "PYTHONUNBUFFERED", "1");
  for (const auto& [k, v] : variables) SetEnv(env, k, v);
  for (const auto& [k, v] : secrets) SetEnv(env, k, v);
  std::string port = std::to_string(id.port);
  SetEnv(env, "SPACE_ID", id.ns + "/" + id.name);
  SetEnv(env, "SPACE_AUTHOR_NAME", id.ns);
  SetEnv(env, "SPACE_REPO_NAME", id.name);
  SetEnv(env, "SPACE_TITLE", id.title.empty() ? id.name : id.title);
  SetEnv(env, "SPACE_HOST", SpaceHostLabel(id.ns, id.name) + "." + id.host_domain);
  SetEnv(env, "CPU_CORES", std::to_string(id.cpu_cores));
  SetEnv(env, "MEMORY", std::to_string(id.memory_gb) + "Gi");
  SetEnv(env, "ACCELERATOR", id.accelerator.empty() ? "none" : id.accelerator);
  SetEnv(env, "SYSTEM", "spaces");
  SetEnv(env, "PORT", port);
  SetEnv(env, "GRADIO_SERVER_PORT", port);
  SetEnv(env, "GRADIO_SERVER_NAME", "0.0.0.0");
  return env;
}

}  // namespace spacehub::runtime
