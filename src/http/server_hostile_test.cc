// Loopback tests for Server (server_test_fixture.h). The edge against hostile clients: header
// limits, ambiguous framing, trickled heads and bodies, idle connections, connections per client.
#include "http/server_test_fixture.h"

namespace spacehub::http::server_test {
namespace {

// Writes one byte of `text` every 100 ms on `s` until stopped: a client that never finishes.
class Trickler {
 public:
  Trickler(tcp::socket& s, std::string text)
      : thread_([this, &s, text] {
          for (size_t i = 0; !stop_; ++i) {
            boost::system::error_code ec;
            net::write(s, net::buffer(&text[i % text.size()], 1), ec);
            if (ec) return;
            std::this_thread::sleep_for(100ms);
          }
        }) {}
  ~Trickler() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(ServerTest, HeaderLimit) {
  ServerOptions o;
  o.max_header_bytes = 1024;
  StartServer(o);
  auto r = Once("GET /hello HTTP/1.1\r\nX-Big: " + std::string(4096, 'h') + "\r\n\r\n");
  EXPECT_EQ(r.result_int(), 431);
  EXPECT_EQ(r["X-Error-Code"], "RequestHeaderFieldsTooLarge");
}

TEST_F(ServerTest, IdleKeepAliveConnectionTimesOut) {
  ServerOptions o;
  o.idle_timeout = 1s;
  StartServer(o);
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  EXPECT_EQ(Exchange(s, buf, "GET /hello HTTP/1.1\r\n\r\n").result_int(), 200);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(ReadsEof(s));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 900ms);
}

TEST_F(ServerTest, AmbiguousFramingIs400AndCloses) {
  StartServer();
  for (std::string fields : {"Transfer-Encoding: chunked, gzip\r\n", "Transfer-Encoding: gzip\r\n",
                             "Content-Length: 5\r\nContent-Length: 5\r\n",
                             "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"}) {
    tcp::socket s = Connect();
    boost::beast::flat_buffer buf;
    // Behind the ambiguous body, a request a smuggler wants served: it must not be.
    auto r = Exchange(s, buf,
                      "POST /echo HTTP/1.1\r\n" + fields + "\r\n5\r\nhello\r\n0\r\n\r\n" +
                          "GET /hello HTTP/1.1\r\n\r\n");
    EXPECT_EQ(r.result_int(), 400) << fields;
    EXPECT_EQ(r["X-Error-Code"], "BadRequestFraming") << fields;
    EXPECT_TRUE(ReadsEof(s)) << fields;
  }
  auto ok =
      Once("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_EQ(nlohmann::json::parse(ok.body())["size"], 5);
}

TEST_F(ServerTest, TrickledHeadHasOneDeadline) {
  ServerOptions o;
  o.header_timeout = 1s;  // the idle timeout stays 120 s
  StartServer(o);
  tcp::socket s = Connect();
  net::write(s, net::buffer(std::string("GET /hello HTTP/1.1\r\nX-Slow: ")));
  {
    // A deadline per read would never close it: a byte comes every 100 ms, forever.
    Trickler trickle(s, "abc");
    EXPECT_TRUE(ReadsEof(s));
  }
}

TEST_F(ServerTest, TrickledBodyMustKeepAMinimumRate) {
  ServerOptions o;
  o.body_timeout = 1s;
  o.body_min_rate = 1024;
  StartServer(o);
  for (std::string target : {"/echo", "/upload/a"}) {  // buffered and streamed
    tcp::socket s = Connect();
    const std::string method = target == "/echo" ? "POST " : "PUT ";
    net::write(s, net::buffer(method + target + " HTTP/1.1\r\nContent-Length: 100000\r\n\r\n"));
    {
      // 10 bytes a second, never 1 KiB: only the rate deadline closes it.
      Trickler trickle(s, "x");
      EXPECT_TRUE(ReadsEof(s)) << target;
    }
  }
  // A body sent at once is unaffected.
  EXPECT_EQ(Once("POST /echo HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'a'))
                .result_int(),
            200);
}

TEST_F(ServerTest, ConnectionsPerClientAreLimited) {
  ServerOptions o;
  o.max_connections_per_client = 2;
  StartServer(o);
  tcp::socket a = Connect(), b = Connect();
  boost::beast::flat_buffer abuf, bbuf;
  EXPECT_EQ(Exchange(a, abuf, "GET /hello HTTP/1.1\r\n\r\n").result_int(), 200);
  EXPECT_EQ(Exchange(b, bbuf, "GET /hello HTTP/1.1\r\n\r\n").result_int(), 200);
  {
    tcp::socket c = Connect();
    boost::beast::flat_buffer cbuf;
    auto r = Read(c, cbuf);  // answered before it asks
    EXPECT_EQ(r.result_int(), 503);
    EXPECT_EQ(r["X-Error-Code"], "TooManyConnections");
    EXPECT_TRUE(ReadsEof(c));
  }
  a.close();  // the server notices the close on its own time: its slot frees then
  EXPECT_TRUE(WaitUntil([&] {
    tcp::socket c = Connect();
    boost::beast::flat_buffer cbuf;
    return Exchange(c, cbuf, "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n").result_int() ==
           200;
  }));
}

}  // namespace
}  // namespace spacehub::http::server_test
