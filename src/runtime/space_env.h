// The environment a Space's app runs with (spec/spaces.md "Environment injected into a running
// Space"): the owner's variables, then its secrets, then the hub's own variables, which win over
// both so an owner cannot fake SPACE_ID or PORT. Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace spacehub::runtime {

struct SpaceIdentity {
  std::string ns;
  std::string name;
  std::string title;        // README title; the repo name when absent
  std::string host_domain;  // SPACE_HOST is "<ns>-<name>.<host_domain>"
  int cpu_cores = 2;
  int memory_gb = 16;
  std::string accelerator = "none";  // GPU model in lower case, or "none"
  int port = 7860;
};

using EnvList = std::vector<std::pair<std::string, std::string>>;

// Sets `key` in place when present, else appends it (one entry per name).
void SetEnv(EnvList& env, const std::string& key, const std::string& value);

// Ordered, one entry per name (later sources replace earlier ones in place).
EnvList BuildSpaceEnv(const SpaceIdentity& id, const std::map<std::string, std::string>& variables,
                      const std::map<std::string, std::string>& secrets);

}  // namespace spacehub::runtime
