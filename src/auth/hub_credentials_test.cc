#include "auth/hub_credentials.h"

#include <gtest/gtest.h>

#include "core/crypto.h"

namespace spacehub::auth {
namespace {

TEST(HubCredentialsTest, HubTokensInAnyFormAreRecognized) {
  const std::string token = "hf_abcdefghijklmnopqrstuvwxyz01234567";
  EXPECT_TRUE(CarriesHubToken("Bearer " + token));
  EXPECT_TRUE(CarriesHubToken("bearer   " + token));
  EXPECT_TRUE(CarriesHubToken("Token " + token));
  EXPECT_TRUE(CarriesHubToken("Basic " + Base64Encode("user:" + token)));
  EXPECT_TRUE(CarriesHubToken("Basic " + Base64Encode(token + ":x-oauth-basic")));
  std::string unpadded = Base64Encode("u:" + token);
  while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
  EXPECT_TRUE(CarriesHubToken("BASIC " + unpadded));
}

TEST(HubCredentialsTest, AnAppsOwnCredentialsAreNotHubTokens) {
  EXPECT_FALSE(CarriesHubToken(""));
  EXPECT_FALSE(CarriesHubToken("Bearer sk-app-key-123"));
  EXPECT_FALSE(CarriesHubToken("Basic " + Base64Encode("alice:wonderland")));
  EXPECT_FALSE(CarriesHubToken("Basic not-base64!"));
  EXPECT_FALSE(CarriesHubToken("Digest username=\"alice\""));
}

TEST(HubCredentialsTest, SessionCookieNames) {
  EXPECT_TRUE(IsSessionCookieName("spacehub_session"));
  EXPECT_TRUE(IsSessionCookieName("__Host-spacehub_session"));
  EXPECT_TRUE(IsSessionCookieName("__Secure-spacehub_session"));
  EXPECT_FALSE(IsSessionCookieName("session"));
  EXPECT_FALSE(IsSessionCookieName("spacehub_session2"));
}

}  // namespace
}  // namespace spacehub::auth
