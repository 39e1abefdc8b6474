// Loopback tests for Server (server_test_fixture.h). Exchange routes and the raw path: handlers
// that own the stream.
#include "http/server_test_fixture.h"

namespace spacehub::http::server_test {
namespace {

// A ConnectionState that serves every request it is offered raw with "raw".
class RawEverything final : public ConnectionState {
 public:
  bool WantsRaw() const override { return true; }
  net::awaitable<std::optional<bool>> ServeRaw(RawExchange& rx) override {
    rx.buffer().consume(rx.head().size());
    Request req;
    req.request_id = "raw";
    const bool more = co_await rx.Respond(req, Response::Text("raw"), true);
    co_return more;
  }
};

// An exchange handler owns the stream: it reads the body itself and writes raw bytes, and the
// connection serves the next request afterwards (keep-alive).
TEST_F(ServerTest, ExchangeRouteOwnsTheStreamAndKeepsAlive) {
  router_.AddExchange("/raw/{rest*}", [](http::Exchange& ex) -> net::awaitable<bool> {
    std::string body = "raw:" + std::string(ex.request().Param("rest")) + ":" +
                       MethodName(ex.request().method).data();
    std::string out =
        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    auto [ec, n] =
        co_await net::async_write(ex.stream(), net::buffer(out), net::as_tuple(net::use_awaitable));
    ex.Record(200, body.size(), !ec);
    co_return !ec;
  });
  router_.SetFront([](const Request& req) { return req.Header("host") == "front.test"; },
                   [](http::Exchange& ex) -> net::awaitable<bool> {
                     const bool more = co_await ex.Respond(Response::Text("front"));
                     co_return more;
                   });
  StartServer();
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  auto a = Exchange(s, buf, "DELETE /raw/a/b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(a.body(), "raw:a/b:DELETE");
  auto b = Exchange(s, buf, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(b.body(), "hello world");
  auto c = Exchange(s, buf, "GET /hello HTTP/1.1\r\nHost: front.test\r\n\r\n");
  EXPECT_EQ(c.body(), "front");
  // Respond with an unread body closes the connection afterwards.
  auto d = Exchange(s, buf, "POST /x HTTP/1.1\r\nHost: front.test\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(d.body(), "front");
  EXPECT_TRUE(ReadsEof(s));
}

TEST_F(ServerTest, TheRawPathIsNeverOfferedAHeadWithFraming) {
  router_.AddExchange("/adopt", [](http::Exchange& ex) -> net::awaitable<bool> {
    ex.connection_state() = std::make_unique<RawEverything>();
    const bool more = co_await ex.Respond(Response::Text("adopted"));
    co_return more;
  });
  StartServer();
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  EXPECT_EQ(Exchange(s, buf, "GET /adopt HTTP/1.1\r\n\r\n").body(), "adopted");
  EXPECT_EQ(Exchange(s, buf, "GET /anything HTTP/1.1\r\n\r\n").body(), "raw");
  // Beast alone reads this head as bodiless: the raw path would have taken it.
  auto r = Exchange(s, buf,
                    "GET /anything HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
                    "5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(r["X-Error-Code"], "BadRequestFraming");
  EXPECT_TRUE(ReadsEof(s));
}

}  // namespace
}  // namespace spacehub::http::server_test
