// See config.h.
#include "client/config.h"

#include <cctype>
#include <cstdlib>
#include <fstream>

namespace spacehub::client::detail {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::optional<std::string> NonEmpty(const EnvLookup& env, const std::string& name) {
  auto v = env(name);
  if (v && !v->empty()) return v;
  return std::nullopt;
}

// huggingface_hub's _is_true: "1", "ON", "YES", "TRUE", case-insensitively.
bool IsTrue(std::string v) {
  for (char& ch : v) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return v == "1" || v == "ON" || v == "YES" || v == "TRUE";
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read-only use
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

ResolvedConfig ResolveConfig(const ClientOptions& options, const EnvLookup& env) {
  ResolvedConfig c;
  c.endpoint =
      options.endpoint.value_or(NonEmpty(env, "HF_ENDPOINT").value_or("https://huggingface.co"));
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();

  if (auto home = NonEmpty(env, "HF_HOME")) {
    c.hf_home = *home;
  } else {
    std::string xdg = NonEmpty(env, "XDG_CACHE_HOME")
                          .value_or(NonEmpty(env, "HOME").value_or("/tmp") + "/.cache");
    c.hf_home = xdg + "/huggingface";
  }
  if (options.cache_dir) {
    c.cache_dir = *options.cache_dir;
  } else {
    c.cache_dir = NonEmpty(env, "HF_HUB_CACHE").value_or(c.hf_home + "/hub");
  }

  if (options.offline) {
    c.offline = *options.offline;
  } else {
    // Python: os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE"), so an
    // empty HF_HUB_OFFLINE falls through to the other.
    auto v = NonEmpty(env, "HF_HUB_OFFLINE");
    if (!v) v = NonEmpty(env, "TRANSFORMERS_OFFLINE");
    c.offline = v && IsTrue(*v);
  }

  if (options.token) {
    c.token = *options.token;
  } else if (auto t = NonEmpty(env, "HF_TOKEN")) {
    c.token = Trim(*t);
  } else if (NonEmpty(env, "HF_HUB_DISABLE_IMPLICIT_TOKEN")) {
    c.token = "";
  } else {
    std::ifstream f(NonEmpty(env, "HF_TOKEN_PATH").value_or(c.hf_home + "/token"));
    std::string line;
    if (f && std::getline(f, line)) c.token = Trim(line);
  }
  return c;
}

}  // namespace spacehub::client::detail
