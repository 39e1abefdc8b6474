#include "proxy/forward_headers.h"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

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
  ForwardedFor fwd{"10.1.2.3", "https", "alice-app.localhost", ""};
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
  PrepareAppRequest(h, ForwardedFor{"10.1.2.3", "http", "", "/spaces/a/b/app"}, true);
  EXPECT_EQ(h[bhttp::field::upgrade], "websocket");
  EXPECT_EQ(h[bhttp::field::connection], "Upgrade");
  EXPECT_EQ(h["X-Forwarded-Prefix"], "/spaces/a/b/app");
  h.method(bhttp::verb::post);
  EXPECT_FALSE(IsWebSocketUpgrade(h));
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
