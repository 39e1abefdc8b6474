// The client reads Space stages and repo types through the wire types it shares with the server.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "client/client_impl.h"
#include "client/url.h"

namespace spacehub::client {
namespace {

TEST(WireParseTest, KnownStageIsTyped) {
  SpaceRuntime rt = ParseSpaceRuntime(nlohmann::json{{"stage", "RUNNING_BUILDING"}});
  ASSERT_TRUE(rt.stage.has_value());
  EXPECT_EQ(*rt.stage, wire::SpaceStage::kRunningBuilding);
  EXPECT_EQ(rt.stage_name, "RUNNING_BUILDING");
  EXPECT_TRUE(IsTransitionalStage(rt.stage_name));
}

TEST(WireParseTest, StageFromANewerServerKeepsItsName) {
  SpaceRuntime rt = ParseSpaceRuntime(nlohmann::json{{"stage", "HIBERNATING"}});
  EXPECT_FALSE(rt.stage.has_value());
  EXPECT_EQ(rt.stage_name, "HIBERNATING");
  EXPECT_FALSE(IsTransitionalStage(rt.stage_name));
}

TEST(WireParseTest, RepoInfoRuntimeStage) {
  RepoInfo info = ParseRepoInfo(nlohmann::json{{"id", "a/b"}, {"runtime", {{"stage", "PAUSED"}}}});
  EXPECT_EQ(info.runtime_stage, wire::SpaceStage::kPaused);
  EXPECT_EQ(info.runtime_stage_name, "PAUSED");
  RepoInfo model = ParseRepoInfo(nlohmann::json{{"id", "a/b"}});
  EXPECT_FALSE(model.runtime_stage.has_value());
  EXPECT_EQ(model.runtime_stage_name, "");
}

TEST(WireParseTest, UrlsUseTheWireNames) {
  EXPECT_EQ(detail::ApiRepoUrl("http://h", RepoType::kDataset, "a/b"), "http://h/api/datasets/a/b");
  EXPECT_EQ(detail::RepoWebUrl("http://h", RepoType::kSpace, "a/b"), "http://h/spaces/a/b");
  EXPECT_EQ(detail::RepoWebUrl("http://h", RepoType::kModel, "a/b"), "http://h/a/b");
  EXPECT_EQ(ParseRepoType("datasets"), RepoType::kDataset);
  EXPECT_EQ(ParseRepoType("dataset/"), std::nullopt);
}

}  // namespace
}  // namespace spacehub::client
