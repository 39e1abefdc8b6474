// Resolving endpoint, token and cache directory from ClientOptions and the environment, the way
// huggingface_hub does (spec §0.1, §0.2). `getenv` is injected so tests need no real environment.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "spacehub/hub_client.h"

namespace spacehub::client::detail {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

struct ResolvedConfig {
  std::string endpoint;   // no trailing '/'
  std::string token;      // "" = anonymous
  std::string cache_dir;  // hub cache
  std::string hf_home;
  bool offline = false;  // options.offline, else HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE
};

EnvLookup ProcessEnv();
// Token: options.token → HF_TOKEN → $HF_HOME/token file (first line, trimmed). Offline:
// options.offline → HF_HUB_OFFLINE, else TRANSFORMERS_OFFLINE, true when 1/ON/YES/TRUE in any
// case (huggingface_hub's constants._is_true).
ResolvedConfig ResolveConfig(const ClientOptions& options, const EnvLookup& env);

}  // namespace spacehub::client::detail
