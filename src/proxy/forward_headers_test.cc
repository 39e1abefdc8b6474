#include "proxy/forward_headers.h"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <string>
#include <vector>

namespace spacehub::proxy {
namespace {
namespace bhttp = boost::beast::http;

bhttp::request_header<> Visitor() {
  bhttp::request_header<> h;
  h.method(bhttp::verb::get);
  h.target("/x");
  h.version(11);
  h.set(bhttp::field::host, "alice-app.localhost");
  h.set(bhttp::field::connection, "keep-alive, X-Secret-Hop");
  h.set("X-Secret-Hop", "1");
  h.set(bhttp::field::keep_alive, "timeout=5");
  h.set(bhttp::field::te, "trailers");
  h.set(bhttp::field::proxy_authorization, "Basic abc");
  h.set(bhttp::field::expect, "100-continue");
  h.set("X-Forwarded-For", "6.6.6.6");
  h.set("X-Forwarded-Prefix", "/evil");
  h.set(bhttp::field::upgrade, "websocket");
  h.set(bhttp::field::cookie, "a=b");
  return h;
}

TEST(ForwardHeadersTest, AppRequestLosesHopByHopAndGetsForwarded) {
  auto h = Visitor();
  ForwardedFor fwd{"10.1.2.3", "https", "alice-app.localhost"};
  PrepareAppRequest(h, fwd, /*websocket=*/false);
  for (auto name : {"Connection", "X-Secret-Hop", "Keep-Alive", "TE", "Proxy-Authorization",
                    "Expect", "Upgrade", "X-Forwarded-Prefix"}) {
    EXPECT_EQ(h.count(name), 0u) << name;
  }
  EXPECT_EQ(h["X-Forwarded-For"], "10.1.2.3");
  EXPECT_EQ(h["X-Forwarded-Proto"], "https");
  EXPECT_EQ(h["X-Forwarded-Host"], "alice-app.localhost");
  EXPECT_EQ(h[bhttp::field::cookie], "a=b");
  EXPECT_EQ(h[bhttp::field::host], "alice-app.localhost");
}

TEST(ForwardHeadersTest, WebSocketKeepsTheUpgradePair) {
  auto h = Visitor();
  h.set(bhttp::field::connection, "Upgrade");
  EXPECT_TRUE(IsWebSocketUpgrade(h));
  h.set(bhttp::field::authorization, "Bearer hf_visitorsecret0123456789abcdefghij");
  PrepareAppRequest(h, ForwardedFor{"10.1.2.3", "http", ""}, true);
  EXPECT_EQ(h[bhttp::field::upgrade], "websocket");
  EXPECT_EQ(h[bhttp::field::connection], "Upgrade");
  EXPECT_EQ(h.count(bhttp::field::authorization), 0u) << "a websocket upgrade loses it too";
  h.method(bhttp::verb::post);
  EXPECT_FALSE(IsWebSocketUpgrade(h));
}

// A visitor's hub credentials never reach the app, however they are sent; the app's own pass.
TEST(ForwardHeadersTest, HubCredentialsNeverReachTheApp) {
  auto h = Visitor();
  // Repeats that are not adjacent: each one is looked at.
  h.insert(bhttp::field::authorization, "Bearer app-key");
  h.insert("X-Between", "1");
  h.insert(bhttp::field::authorization, "Bearer hf_visitorsecret0123456789abcdefghij");
  h.insert("X-Between-2", "1");
  h.insert(bhttp::field::cookie, "spacehub_session=s3cret; theme=dark");
  h.insert(bhttp::field::cookie, "__Secure-spacehub_session=s3cret");
  PrepareAppRequest(h, ForwardedFor{"10.1.2.3", "http", "alice-app.localhost"}, false);
  std::vector<std::string> auth;
  std::vector<std::string> cookies;
  for (const auto& f : h) {
    if (f.name() == bhttp::field::authorization) auth.emplace_back(f.value());
    if (f.name() == bhttp::field::cookie) cookies.emplace_back(f.value());
  }
  EXPECT_EQ(auth, std::vector<std::string>{"Bearer app-key"});
  EXPECT_EQ(cookies, (std::vector<std::string>{"a=b", "theme=dark"}));

  auto basic = Visitor();
  basic.set(bhttp::field::authorization, "Basic aGZfdG9rZW46eA==");  // "hf_token:x"
  basic.set(bhttp::field::cookie, "spacehub_session=s3cret");
  PrepareAppRequest(basic, ForwardedFor{"10.1.2.3", "http", ""}, false);
  EXPECT_EQ(basic.count(bhttp::field::authorization), 0u);
  EXPECT_EQ(basic.count(bhttp::field::cookie), 0u) << "a Cookie left empty goes";
}

TEST(ForwardHeadersTest, CookieFiltering) {
  EXPECT_EQ(CookieWithoutHubSession("a=1; b=2"), std::nullopt);
  EXPECT_EQ(CookieWithoutHubSession("a=1;spacehub_session=x ;b=2"), "a=1; b=2");
  EXPECT_EQ(CookieWithoutHubSession("spacehub_session=x"), "");
  EXPECT_EQ(CookieWithoutHubSession("my_spacehub_session=x"), std::nullopt);
  EXPECT_TRUE(SetsHubSessionCookie("spacehub_session=x; Domain=localhost"));
  EXPECT_TRUE(SetsHubSessionCookie(" __Host-spacehub_session=x"));
  EXPECT_FALSE(SetsHubSessionCookie("app=spacehub_session"));
}

TEST(ForwardHeadersTest, AppCannotSetTheHubSession) {
  bhttp::response_header<> r;
  r.result(200);
  r.insert(bhttp::field::set_cookie, "spacehub_session=planted; Domain=localhost");
  r.insert(bhttp::field::set_cookie, "app=1");
  PrepareVisitorResponse(r, /*switching=*/false);
  EXPECT_EQ(r.count(bhttp::field::set_cookie), 1u);
  EXPECT_EQ(r[bhttp::field::set_cookie], "app=1");
}

TEST(ForwardHeadersTest, ResponseKeepsFramingDropsHops) {
  bhttp::response_header<> r;
  r.result(200);
  r.set(bhttp::field::connection, "close, X-Internal");
  r.set("X-Internal", "1");
  r.set(bhttp::field::content_length, "5");
  r.set(bhttp::field::upgrade, "h2c");
  PrepareVisitorResponse(r, /*switching=*/false);
  EXPECT_EQ(r.count(bhttp::field::connection), 0u);
  EXPECT_EQ(r.count("X-Internal"), 0u);
  EXPECT_EQ(r.count(bhttp::field::upgrade), 0u);
  EXPECT_EQ(r[bhttp::field::content_length], "5");

  bhttp::response_header<> sw;
  sw.result(101);
  sw.set(bhttp::field::connection, "upgrade");
  sw.set(bhttp::field::upgrade, "websocket");
  PrepareVisitorResponse(sw, /*switching=*/true);
  EXPECT_EQ(sw[bhttp::field::upgrade], "websocket");
  EXPECT_EQ(sw[bhttp::field::connection], "Upgrade");
}

}  // namespace
}  // namespace spacehub::proxy
