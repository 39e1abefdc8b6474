#include "proxy/raw_head.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string>

namespace spacehub::proxy {
namespace {
namespace bhttp = boost::beast::http;

// Parses `text` whole with `parser`; returns the bytes the parser took.
template <class Parser>
size_t Parse(Parser& parser, const std::string& text, boost::beast::error_code& ec) {
  return parser.Parse(text, ec);
}

constexpr char kVisitor[] =
    "GET /headers?x=1 HTTP/1.1\r\n"
    "Host: alice-app.localhost\r\n"
    "Connection: keep-alive, X-Secret-Hop\r\n"
    "X-Secret-Hop: 1\r\n"
    "Keep-Alive: timeout=5\r\n"
    "TE: trailers\r\n"
    "Proxy-Authorization: Basic abc\r\n"
    "X-Forwarded-For: 6.6.6.6\r\n"
    "x-forwarded-prefix: /evil\r\n"
    "Forwarded: for=6.6.6.6\r\n"
    "Cookie: a=b\r\n"
    "X-Request-Id: abc-1\r\n"
    "Accept: text/html\r\n"
    "\r\n";

TEST(RawHeadTest, RequestFieldsAreViewsOfTheBytes) {
  const std::string text = kVisitor;
  RawHead head;
  RawRequestParser p(head);
  boost::beast::error_code ec;
  EXPECT_EQ(Parse(p, text, ec), text.size());
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(p.is_done());  // no body
  EXPECT_EQ(p.method, bhttp::verb::get);
  EXPECT_EQ(p.target, "/headers?x=1");
  EXPECT_EQ(p.version, 11);
  EXPECT_EQ(head.host, "alice-app.localhost");
  EXPECT_EQ(head.hosts, 1);
  EXPECT_EQ(head.x_request_id, "abc-1");
  EXPECT_EQ(head.accept, "text/html");
  ASSERT_EQ(head.connection_tokens.size(), 2u);
  EXPECT_EQ(head.connection_tokens[1], "X-Secret-Hop");
  EXPECT_FALSE(head.expect);
  EXPECT_GE(head.host.data(), text.data());  // in place, not copied
  EXPECT_LT(head.host.data(), text.data() + text.size());
}

TEST(RawHeadTest, AppRequestLosesHopByHopAndGetsForwarded) {
  const std::string text = kVisitor;
  RawHead head;
  RawRequestParser p(head);
  boost::beast::error_code ec;
  Parse(p, text, ec);
  std::string out;
  AppendAppRequestHead(p.method_string, p.target, head,
                       ForwardedFor{"10.1.2.3", "https", "alice-app.localhost"}, out);
  EXPECT_EQ(out,
            "GET /headers?x=1 HTTP/1.1\r\n"
            "Host: alice-app.localhost\r\n"
            "Cookie: a=b\r\n"
            "X-Request-Id: abc-1\r\n"
            "Accept: text/html\r\n"
            "X-Forwarded-For: 10.1.2.3\r\n"
            "X-Forwarded-Proto: https\r\n"
            "X-Forwarded-Host: alice-app.localhost\r\n"
            "\r\n");
}

// The fast lane is as strict as the general path: a visitor's hub token and hub session cookie
// never reach the app, and an app never sets the hub's session cookie; the app's own credentials
// and cookies pass.
TEST(RawHeadTest, HubCredentialsNeverReachTheApp) {
  const std::string text =
      "GET / HTTP/1.1\r\n"
      "Host: alice-app.localhost\r\n"
      "Authorization: Bearer hf_visitorsecret0123456789abcdefghij\r\n"
      "Cookie: theme=dark; spacehub_session=s3cret; lang=en\r\n"
      "Cookie: __Host-spacehub_session=s3cret\r\n"
      "X-Other: 1\r\n"
      "authorization: Basic aGZfdG9rZW46eA==\r\n"  // "hf_token:x"
      "\r\n";
  RawHead head;
  RawRequestParser p(head);
  boost::beast::error_code ec;
  Parse(p, text, ec);
  ASSERT_FALSE(ec);
  std::string out;
  AppendAppRequestHead(p.method_string, p.target, head, ForwardedFor{"1.2.3.4", "http", ""}, out);
  EXPECT_EQ(out,
            "GET / HTTP/1.1\r\n"
            "Host: alice-app.localhost\r\n"
            "Cookie: theme=dark; lang=en\r\n"
            "X-Other: 1\r\n"
            "X-Forwarded-For: 1.2.3.4\r\n"
            "X-Forwarded-Proto: http\r\n"
            "\r\n");

  const std::string own = "GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer app-key\r\n\r\n";
  RawRequestParser p2(head);
  Parse(p2, own, ec);
  ASSERT_FALSE(ec);
  out.clear();
  AppendAppRequestHead(p2.method_string, p2.target, head, ForwardedFor{"1.2.3.4", "http", ""}, out);
  EXPECT_NE(out.find("Authorization: Bearer app-key\r\n"), std::string::npos) << out;

  const std::string answer =
      "HTTP/1.1 200 OK\r\n"
      "Set-Cookie: spacehub_session=planted; Domain=localhost; Path=/\r\n"
      "Set-Cookie: app=1; Path=/\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  RawHead rhead;
  RawResponseParser rp(rhead);
  Parse(rp, answer, ec);
  ASSERT_FALSE(ec);
  out.clear();
  AppendVisitorResponseHead(rp.status, rp.reason, rhead, /*close=*/false, out);
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nSet-Cookie: app=1; Path=/\r\nContent-Length: 0\r\n\r\n");
}

TEST(RawHeadTest, SecondParseForgetsTheFirst) {
  RawHead head;
  {
    RawRequestParser p(head);
    boost::beast::error_code ec;
    Parse(p, kVisitor, ec);
  }
  RawRequestParser p(head);
  boost::beast::error_code ec;
  const std::string text = "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nExpect: 100-continue\r\n\r\n";
  Parse(p, text, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(head.fields.size(), 3u);
  EXPECT_EQ(head.hosts, 2);
  EXPECT_TRUE(head.expect);
  EXPECT_TRUE(head.connection_tokens.empty());
  EXPECT_TRUE(head.x_request_id.empty());
}

TEST(RawHeadTest, RequestWithBodyIsNotDoneAfterItsHeader) {
  RawHead head;
  RawRequestParser p(head);
  boost::beast::error_code ec;
  const std::string text = "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
  const size_t used = Parse(p, text, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(used, text.size() - 5);
  EXPECT_TRUE(p.is_header_done());
  EXPECT_FALSE(p.is_done());
}

TEST(RawHeadTest, MalformedRequestIsAnError) {
  RawHead head;
  RawRequestParser p(head);
  boost::beast::error_code ec;
  Parse(p, "GET / HTTP/1.1\r\nHo st: a\r\n\r\n", ec);
  EXPECT_TRUE(ec);
}

TEST(RawHeadTest, VisitorResponseKeepsFramingAndDropsHopByHop) {
  const std::string text =
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: text/plain\r\n"
      "Connection: keep-alive, X-App-Hop\r\n"
      "X-App-Hop: 1\r\n"
      "Keep-Alive: timeout=5\r\n"
      "Transfer-Encoding: chunked\r\n"
      "Set-Cookie: s=1\r\n"
      "\r\n"
      "5\r\nhello\r\n0\r\n\r\n";
  RawHead head;
  RawResponseParser p(head);
  p.body_limit(boost::none);
  boost::beast::error_code ec;
  const size_t used = Parse(p, text, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(p.status, 200);
  EXPECT_EQ(p.reason, "OK");
  EXPECT_TRUE(p.chunked());
  EXPECT_TRUE(p.keep_alive());
  std::string out;
  AppendVisitorResponseHead(p.status, p.reason, head, /*close=*/false, out);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Transfer-Encoding: chunked\r\n"
            "Set-Cookie: s=1\r\n"
            "\r\n");
  // The body: followed to its end (the caller relays the same bytes).
  p.eager(true);
  const std::string body = text.substr(used);
  size_t taken = 0;
  while (!p.is_done() && taken < body.size()) {
    const size_t n = p.put(boost::asio::buffer(body.data() + taken, body.size() - taken), ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_GT(n, 0u);
    taken += n;
  }
  EXPECT_TRUE(p.is_done());
  EXPECT_EQ(taken, body.size());
}

TEST(RawHeadTest, SplitChunkHeaderAsksForMore) {
  RawHead head;
  RawResponseParser p(head);
  p.body_limit(boost::none);
  boost::beast::error_code ec;
  const std::string first = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r";
  const size_t used = Parse(p, first, ec);  // the header only (not eager yet)
  EXPECT_FALSE(ec);
  EXPECT_FALSE(p.is_done());
  p.eager(true);
  EXPECT_EQ(p.put(boost::asio::buffer(first.data() + used, first.size() - used), ec), 0u);
  EXPECT_EQ(ec, bhttp::error::need_more);
  const std::string rest = first.substr(used) + "\nhello\r\n0\r\n\r\n";
  size_t taken = 0;
  while (!p.is_done()) {
    const size_t n = p.put(boost::asio::buffer(rest.data() + taken, rest.size() - taken), ec);
    ASSERT_FALSE(ec && ec != bhttp::error::need_more) << ec.message();
    taken += n;
    if (n == 0) break;
  }
  EXPECT_TRUE(p.is_done());
  EXPECT_EQ(taken, rest.size());
}

TEST(RawHeadTest, CloseAddsConnectionClose) {
  RawHead head;
  RawResponseParser p(head);
  boost::beast::error_code ec;
  const std::string text = "HTTP/1.0 204 \r\nX-A: 1\r\n\r\n";
  Parse(p, text, ec);
  ASSERT_FALSE(ec);
  EXPECT_TRUE(p.is_done());
  EXPECT_FALSE(p.keep_alive());
  std::string out;
  AppendVisitorResponseHead(p.status, p.reason, head, /*close=*/true, out);
  EXPECT_EQ(out, "HTTP/1.1 204 \r\nX-A: 1\r\nConnection: close\r\n\r\n");
}

TEST(RawHeadTest, AFoldedValueIsKeptUnfolded) {
  // Beast unfolds obs-fold into its own scratch: the head keeps a copy, not a view of that.
  const std::string text =
      "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\nX-B: 2\r\nX-C: x\r\n\ty\r\n\r\n";
  RawHead head;
  RawRequestParser p(head);
  boost::beast::error_code ec;
  Parse(p, text, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(head.fields.size(), 4u);
  EXPECT_EQ(head.unfolded.size(), 2u);
  std::string out;
  AppendAppRequestHead("GET", "/", head, ForwardedFor{"1.2.3.4", "http", ""}, out);
  EXPECT_NE(out.find("X-A: one two\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("X-C: x y\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("X-B: 2\r\n"), std::string::npos) << out;
}

TEST(RawHeadTest, MalformedEscapes) {
  EXPECT_FALSE(HasMalformedEscape("/a%20b?q=%2F"));
  EXPECT_FALSE(HasMalformedEscape("/plain"));
  EXPECT_TRUE(HasMalformedEscape("/a%2"));
  EXPECT_TRUE(HasMalformedEscape("/a%zz"));
  EXPECT_TRUE(HasMalformedEscape("/?q=%"));
}

// Found by fuzz/raw_head: Beast takes "044" for a status, which the lane would have relayed as the
// invalid status line "HTTP/1.1 44 ...". Such an app answer is a parse error (the lane's 502).
TEST(RawHeadTest, AStatusBelow100IsAnError) {
  for (const char* status : {"044", "000", "099"}) {
    RawHead head;
    RawResponseParser p(head);
    boost::beast::error_code ec;
    Parse(p, std::string("HTTP/1.1 ") + status + " Odd\r\nContent-Length: 0\r\n\r\n", ec);
    EXPECT_TRUE(ec) << status;
  }
  RawHead head;
  RawResponseParser p(head);
  boost::beast::error_code ec;
  Parse(p, "HTTP/1.1 100 Continue\r\n\r\n", ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(p.status, 100);
}

}  // namespace
}  // namespace spacehub::proxy
