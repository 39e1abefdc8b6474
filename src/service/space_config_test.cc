#include "service/space_config.h"

#include <gtest/gtest.h>

namespace spacehub::service {
namespace {

constexpr auto kNoAppFile = wire::SpaceStage::kNoAppFile;
constexpr auto kConfigError = wire::SpaceStage::kConfigError;

std::string Readme(const std::string& yaml) { return "---\n" + yaml + "---\n# hi\n"; }

TEST(SpaceConfigTest, StageTable) {
  struct Case {
    std::optional<std::string> readme;
    std::string repo_sdk;
    std::vector<std::string> files;
    std::optional<wire::SpaceStage> stage;
    std::string message_has;
  };
  const std::vector<std::string> app = {"README.md", "app.py"};
  const Case cases[] = {
      {Readme("sdk: gradio\n"), "gradio", app, std::nullopt, ""},
      {Readme("sdk: gradio\n"), "gradio", {"README.md"}, kNoAppFile, "app.py"},
      {Readme("sdk: static\n"), "static", {"README.md", "index.html"}, std::nullopt, ""},
      {Readme("sdk: static\n"), "static", {"README.md"}, kNoAppFile, "index.html"},
      {Readme("sdk: docker\n"), "docker", app, kNoAppFile, "Dockerfile"},
      {Readme("sdk: docker\napp_port: 8080\n"), "docker", {"Dockerfile"}, std::nullopt, ""},
      {Readme("sdk: gradio\napp_file: src/main.py\n"), "gradio", {"src/main.py"}, std::nullopt, ""},
      {Readme("sdk: flask\n"), "gradio", app, kConfigError, "'sdk'"},
      {Readme("sdk: gradio\napp_port: 99999\n"), "gradio", app, kConfigError, "'app_port'"},
      {Readme("sdk: gradio\napp_port: web\n"), "gradio", app, kConfigError, "'app_port'"},
      {Readme("sdk: gradio\napp_file: ../etc/passwd\n"), "gradio", app, kConfigError, "'app_file'"},
      {Readme("sdk: gradio\ncolorFrom: mauve\n"), "gradio", app, kConfigError, "'colorFrom'"},
      {Readme("sdk: gradio\nstartup_duration_timeout: soon\n"), "gradio", app, kConfigError,
       "'startup_duration_timeout'"},
      {Readme("sdk: [gradio\n"), "gradio", app, kConfigError, "YAML"},
      {Readme("title: x\n"), "", app, kConfigError, "'sdk'"},
      {std::nullopt, "gradio", app, std::nullopt, ""},
      {std::string("# no front matter\n"), "streamlit", app, std::nullopt, ""},
  };
  for (const auto& c : cases) {
    ConfigCheck r = CheckSpaceConfig(c.readme, c.repo_sdk, c.files);
    EXPECT_EQ(r.stage, c.stage) << (r.stage ? wire::SpaceStageName(*r.stage)
                                            : std::string_view("valid"))
                                << " " << c.readme.value_or("<none>") << " → " << r.message;
    EXPECT_NE(r.message.find(c.message_has), std::string::npos) << r.message;
  }
}

TEST(SpaceConfigTest, Values) {
  ConfigCheck r = CheckSpaceConfig(
      Readme("title: Demo\nsdk: gradio\nsdk_version: 4.44.1\npython_version: \"3.11\"\n"
             "startup_duration_timeout: 1h\n"),
      "gradio", {"app.py"});
  ASSERT_FALSE(r.stage) << r.message;
  EXPECT_EQ(r.config.title, "Demo");
  EXPECT_EQ(r.config.sdk_version, "4.44.1");
  EXPECT_EQ(r.config.python_version, "3.11");
  EXPECT_EQ(r.config.startup_duration_timeout_seconds, 3600);
  EXPECT_EQ(r.config.app_port, 7860);
}

}  // namespace
}  // namespace spacehub::service
