// Space configuration from the README front matter (spec/spaces.md "README front matter"): which
// SDK runs which app file on which port. A Space whose configuration is invalid is in stage
// CONFIG_ERROR with a message naming the key; one whose app file is missing is in NO_APP_FILE.
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "repo/repo_store.h"
#include "spacehub/wire/space_stage.h"

namespace spacehub::service {

struct SpaceConfig {
  std::string sdk;  // gradio | streamlit | docker | static
  std::optional<std::string> sdk_version;
  std::string app_file;  // the file that must exist ("Dockerfile" for docker Spaces)
  int64_t app_port = 7860;
  std::string title;
  std::string python_version = "3.10";
  int64_t startup_duration_timeout_seconds = 30 * 60;
};

struct ConfigCheck {
  std::optional<wire::SpaceStage> stage;  // none when valid; kConfigError or kNoAppFile otherwise
  std::string message;                    // why, naming the key or the missing file
  SpaceConfig config;
};

// `readme`: the README.md at head (nullopt when absent). Without front matter the SDK the Space was
// created with applies. `files`: every file path at head.
ConfigCheck CheckSpaceConfig(const std::optional<std::string>& readme, std::string_view repo_sdk,
                             const std::vector<std::string>& files);

// The same check on the commit `sha` of the Space `id`: reads its file list and README.md.
Result<ConfigCheck> CheckSpaceConfigAt(const repo::RepoStore& repos, const RepoId& id,
                                       const std::string& sha, std::string_view repo_sdk);

}  // namespace spacehub::service
