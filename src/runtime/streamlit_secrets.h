// Streamlit's secrets management reads `~/.streamlit/secrets.toml`; on the Hub a Streamlit Space
// finds its secrets there as well as in its environment. This renders the secrets as that TOML
// file (one `KEY = "value"` line each, basic strings escaped per TOML 1.0). Pure; thread-safe.
#pragma once

#include <map>
#include <string>

namespace spacehub::runtime {

inline constexpr char kStreamlitSecretsPath[] = "/home/user/.streamlit/secrets.toml";

std::string StreamlitSecretsToml(const std::map<std::string, std::string>& secrets);

}  // namespace spacehub::runtime
