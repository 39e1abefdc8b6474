#include "api/public_url.h"

#include <gtest/gtest.h>

namespace spacehub::api {
namespace {

TEST(PublicUrlTest, ConfiguredWinsWithoutTrailingSlash) {
  EXPECT_EQ(PublicUrlFor("https://hub.example.com/", "0.0.0.0", 8080), "https://hub.example.com");
  EXPECT_EQ(PublicUrlFor("https://hub.example.com:8443", "127.0.0.1", 8080),
            "https://hub.example.com:8443");
}

TEST(PublicUrlTest, ListeningAddressOtherwise) {
  EXPECT_EQ(PublicUrlFor("", "127.0.0.1", 8080), "http://127.0.0.1:8080");
  EXPECT_EQ(PublicUrlFor("", "10.0.0.5", 80), "http://10.0.0.5:80");
  EXPECT_EQ(PublicUrlFor("", "0.0.0.0", 8080), "http://127.0.0.1:8080");
  EXPECT_EQ(PublicUrlFor("", "::", 8080), "http://127.0.0.1:8080");
  EXPECT_EQ(PublicUrlFor("", "", 8080), "http://127.0.0.1:8080");
  EXPECT_EQ(PublicUrlFor("", "::1", 8080), "http://[::1]:8080");
}

}  // namespace
}  // namespace spacehub::api
