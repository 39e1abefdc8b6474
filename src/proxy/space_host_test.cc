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

TEST(SpaceHostTest, DifferentNamesCanShareALabel) {
  // Why the repo service refuses a second Space on a label (service/space_hosts.h).
  EXPECT_EQ(SpaceHostLabel("a-b", "c"), SpaceHostLabel("a", "b-c"));
  EXPECT_EQ(SpaceHostLabel("a", "b_c"), SpaceHostLabel("a", "B.c"));
  EXPECT_NE(SpaceHostLabel("a", "bc"), SpaceHostLabel("ab", "c"));
}

TEST(SpaceHostTest, SpaceOriginTakesSchemeAndPortOfTheHubUrl) {
  EXPECT_EQ(SpaceOrigin("http://127.0.0.1:8080", "alice-app", "localhost"),
            "http://alice-app.localhost:8080");
  EXPECT_EQ(SpaceOrigin("https://hub.example.com", "alice-app", "spaces.example.com"),
            "https://alice-app.spaces.example.com");
  EXPECT_EQ(SpaceOrigin("HTTPS://hub.example.com:8443/base/", "a-b", "example.com"),
            "https://a-b.example.com:8443");
  EXPECT_EQ(SpaceOrigin("http://[::1]:9000", "a-b", "localhost"), "http://a-b.localhost:9000");
  EXPECT_EQ(SpaceOrigin("http://[::1]", "a-b", "localhost"), "http://a-b.localhost");
  EXPECT_EQ(SpaceOrigin("http://user:pw@hub:81", "a-b", "localhost"), "http://a-b.localhost:81");
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
