// Tests for endpoint / token / cache resolution from the environment.
#include "client/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

namespace spacehub::client::detail {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ConfigTest, Defaults) {
  ResolvedConfig c = ResolveConfig({}, Env({{"HOME", "/home/u"}}));
  EXPECT_EQ(c.endpoint, "https://huggingface.co");
  EXPECT_EQ(c.hf_home, "/home/u/.cache/huggingface");
  EXPECT_EQ(c.cache_dir, "/home/u/.cache/huggingface/hub");
}

TEST(ConfigTest, EnvironmentAndOptions) {
  ResolvedConfig c = ResolveConfig(
      {}, Env({{"HF_ENDPOINT", "http://127.0.0.1:9/"}, {"HF_TOKEN", "hf_x\n"}, {"HF_HOME", "/h"}}));
  EXPECT_EQ(c.endpoint, "http://127.0.0.1:9");
  EXPECT_EQ(c.token, "hf_x");
  EXPECT_EQ(c.cache_dir, "/h/hub");
  EXPECT_EQ(ResolveConfig({}, Env({{"HF_HOME", "/h"}, {"HF_HUB_CACHE", "/hc"}})).cache_dir, "/hc");
  ClientOptions o;
  o.endpoint = "http://e";
  o.token = "";
  EXPECT_EQ(ResolveConfig(o, Env({{"HF_TOKEN", "hf_y"}})).token, "");
  EXPECT_EQ(ResolveConfig(o, Env({})).endpoint, "http://e");
}

TEST(ConfigTest, OfflineAsHuggingfaceHubReadsIt) {
  struct Case {
    std::map<std::string, std::string> env;
    bool offline;
  };
  const Case cases[] = {
      {{}, false},
      {{{"HF_HUB_OFFLINE", "1"}}, true},
      {{{"HF_HUB_OFFLINE", "true"}}, true},
      {{{"HF_HUB_OFFLINE", "Yes"}}, true},
      {{{"HF_HUB_OFFLINE", "on"}}, true},
      {{{"HF_HUB_OFFLINE", "0"}}, false},
      {{{"HF_HUB_OFFLINE", "2"}}, false},
      {{{"TRANSFORMERS_OFFLINE", "1"}}, true},
      {{{"HF_HUB_OFFLINE", ""}, {"TRANSFORMERS_OFFLINE", "1"}}, true},  // empty: the other one
      {{{"HF_HUB_OFFLINE", "0"}, {"TRANSFORMERS_OFFLINE", "1"}}, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ResolveConfig({}, Env(c.env)).offline, c.offline)
        << (c.env.empty() ? "" : c.env.begin()->first + "=" + c.env.begin()->second);
  }
  ClientOptions o;
  o.offline = false;
  EXPECT_FALSE(ResolveConfig(o, Env({{"HF_HUB_OFFLINE", "1"}})).offline);
  o.offline = true;
  EXPECT_TRUE(ResolveConfig(o, Env({})).offline);
}

TEST(ConfigTest, TokenFile) {
  auto dir = std::filesystem::temp_directory_path() / ("shc-cfg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "token") << "hf_from_file\n";
  EXPECT_EQ(ResolveConfig({}, Env({{"HF_HOME", dir.string()}})).token, "hf_from_file");
  EXPECT_EQ(
      ResolveConfig({}, Env({{"HF_HOME", dir.string()}, {"HF_HUB_DISABLE_IMPLICIT_TOKEN", "1"}}))
          .token,
      "");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spacehub::client::detail
