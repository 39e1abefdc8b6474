#include "proxy/space_host.h"

#include <gtest/gtest.h>

namespace spacehub::proxy {
namespace {

TEST(SpaceHostTest, SubdomainFollowsTheHubConvention) {
  struct Case {
    const char* ns;
    const char* name;
    const char* want;
  } cases[] = {
      {"alice", "app", "alice-app"},
      {"Alice", "My_App.v2", "alice-my-app-v2"},
      {"org-x", "a-b", "org-x-a-b"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SpaceSubdomain(RepoId{RepoType::kSpace, c.ns, c.name}), c.want) << c.name;
  }
}

TEST(SpaceHostTest, SubdomainFromHost) {
  struct Case {
    const char* host;
    const char* domain;
    std::optional<std::string> want;
  } cases[] = {
      {"alice-app.localhost", "localhost", "alice-app"},
      {"alice-app.localhost:8080", "localhost", "alice-app"},
      {"Alice-App.LOCALHOST", "localhost", "alice-app"},
      {"alice-app.localhost.", "localhost", "alice-app"},
      {"alice-app.spaces.example.com", "spaces.example.com", "alice-app"},
      {"localhost", "localhost", std::nullopt},
      {"localhost:8080", "localhost", std::nullopt},
      {".localhost", "localhost", std::nullopt},
      {"a.b.localhost", "localhost", std::nullopt},
      {"alice-applocalhost", "localhost", std::nullopt},
      {"alice-app.example.com", "localhost", std::nullopt},
      {"127.0.0.1:8080", "localhost", std::nullopt},
      {"[::1]:8080", "localhost", std::nullopt},
      {"al_ice.localhost", "localhost", std::nullopt},
      {"", "localhost", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SubdomainFromHost(c.host, c.domain), c.want) << c.host;
  }
}

}  // namespace
}  // namespace spacehub::proxy
