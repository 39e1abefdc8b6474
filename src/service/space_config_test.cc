#include "service/space_config.h"

#include <gtest/gtest.h>

namespace spacehub::service {
namespace {

std::string Readme(const std::string& yaml) { return "---\n" + yaml + "---\n# hi\n"; }

TEST(SpaceConfigTest, StageTable) {
  struct Case {
    std::optional<std::string> readme;
    std::string repo_sdk;
    std::vector<std::string> files;
    std::string stage;
    std::string message_has;
  };
  const std::vector<std::string> app = {"README.md", "app.py"};
  const Case cases[] = {
      {Readme("sdk: gradio\n"), "gradio", app, "", ""},
      {Readme("sdk: gradio\n"), "gradio", {"README.md"}, "NO_APP_FILE", "app.py"},
      {Readme("sdk: static\n"), "static", {"README.md", "index.html"}, "", ""},
      {Readme("sdk: static\n"), "static", {"README.md"}, "NO_APP_FILE", "index.html"},
      {Readme("sdk: docker\n"), "docker", app, "NO_APP_FILE", "Dockerfile"},
      {Readme("sdk: docker\napp_port: 8080\n"), "docker", {"Dockerfile"}, "", ""},
      {Readme("sdk: gradio\napp_file: src/main.py\n"), "gradio", {"src/main.py"}, "", ""},
      {Readme("sdk: flask\n"), "gradio", app, "CONFIG_ERROR", "'sdk'"},
      {Readme("sdk: gradio\napp_port: 99999\n"), "gradio", app, "CONFIG_ERROR", "'app_port'"},
      {Readme("sdk: gradio\napp_port: web\n"), "gradio", app, "CONFIG_ERROR", "'app_port'"},
      {Readme("sdk: gradio\napp_file: ../etc/passwd\n"), "gradio", app, "CONFIG_ERROR",
       "'app_file'"},
      {Readme("sdk: gradio\ncolorFrom: mauve\n"), "gradio", app, "CONFIG_ERROR", "'colorFrom'"},
      {Readme("sdk: gradio\nstartup_duration_timeout: soon\n"), "gradio", app, "CONFIG_ERROR",
       "'startup_duration_timeout'"},
      {Readme("sdk: [gradio\n"), "gradio", app, "CONFIG_ERROR", "YAML"},
      {Readme("title: x\n"), "", app, "CONFIG_ERROR", "'sdk'"},
      {std::nullopt, "gradio", app, "", ""},
      {std::string("# no front matter\n"), "streamlit", app, "", ""},
  };
  for (const auto& c : cases) {
    ConfigCheck r = CheckSpaceConfig(c.readme, c.repo_sdk, c.files);
    EXPECT_EQ(r.stage, c.stage) << c.readme.value_or("<none>") << " → " << r.message;
    EXPECT_NE(r.message.find(c.message_has), std::string::npos) << r.message;
  }
}

TEST(SpaceConfigTest, Values) {
  ConfigCheck r = CheckSpaceConfig(
      Readme("title: Demo\nsdk: gradio\nsdk_version: 4.44.1\npython_version: \"3.11\"\n"
             "startup_duration_timeout: 1h\n"),
      "gradio", {"app.py"});
  ASSERT_EQ(r.stage, "");
  EXPECT_EQ(r.config.title, "Demo");
  EXPECT_EQ(r.config.sdk_version, "4.44.1");
  EXPECT_EQ(r.config.python_version, "3.11");
  EXPECT_EQ(r.config.startup_duration_timeout_seconds, 3600);
  EXPECT_EQ(r.config.app_port, 7860);
}

}  // namespace
}  // namespace spacehub::service
