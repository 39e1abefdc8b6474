// Loopback tests for Server (server_test_fixture.h). The server's life: listening, extra listeners,
// threads, graceful stop.
#include "http/server_test_fixture.h"

namespace spacehub::http::server_test {
namespace {

uint16_t LocalPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

TEST_F(ServerTest, GracefulStopLetsInFlightRequestFinish) {
  ServerOptions o;
  o.shutdown_grace = 2 * kEventBound;  // Run() returning within kEventBound: not the grace
  StartServer(o);
  tcp::socket idle = Connect();
  boost::beast::flat_buffer idle_buf;
  EXPECT_EQ(Exchange(idle, idle_buf, "GET /hello HTTP/1.1\r\n\r\n").result_int(), 200);

  tcp::socket busy = Connect();
  net::write(busy, net::buffer(std::string("GET /slow HTTP/1.1\r\n\r\n")));
  ASSERT_TRUE(slow_started_.Wait());
  server_->Stop();
  slow_release_.Open();  // the request was in flight when Stop() came
  boost::beast::flat_buffer buf;
  auto r = Read(busy, buf);
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "slow done");
  EXPECT_EQ(r["Connection"], "close");
  EXPECT_TRUE(ReadsEof(idle));
  // Run() returns once the connections are gone, not when the grace period ends.
  ASSERT_TRUE(RunReturns());
  thread_.join();
  // New connections are refused.
  tcp::socket s(ioc_);
  boost::system::error_code ec;
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()), ec);
  EXPECT_TRUE(ec);
}

// An offloaded handler runs on the pool, not on the I/O thread.
TEST_F(ServerTest, OffloadedHandlerLeavesTheIoThreadFree) {
  ServerOptions o;
  o.threads = 1;
  StartServer(o);
  boost::beast::flat_buffer buf;
  tcp::socket busy = ServedWhileHeld("/slow-offloaded", "slow done on http-slow", buf);
  // The connection goes on with its next request as usual.
  EXPECT_EQ(Exchange(busy, buf, "GET /hello HTTP/1.1\r\n\r\n").body(), "hello world");
}

// A body's background work runs on the pool once the response starts; the body waits for it.
TEST_F(ServerTest, BackgroundWorkOfABodyRunsOnThePool) {
  ServerOptions o;
  o.threads = 1;
  StartServer(o);
  boost::beast::flat_buffer buf;
  ServedWhileHeld("/background", "worked on http-slow", buf);
}

TEST_F(ServerTest, GraceElapsesWithStalledUpload) {
  ServerOptions o;
  o.shutdown_grace = 1s;
  StartServer(o);
  tcp::socket s = Connect();
  net::write(s, net::buffer(std::string("PUT /upload/a HTTP/1.1\r\nContent-Length: 1000\r\n\r\n")));
  // The sink exists: the head was read and the server waits for the body.
  ASSERT_TRUE(stats_.WaitFor([this] { return stats_.created == 1; }));
  auto t0 = std::chrono::steady_clock::now();
  server_->Stop();
  ASSERT_TRUE(RunReturns()) << "the grace period never ended the stalled upload";
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 900ms)
      << "the upload was dropped before the grace";
  thread_.join();
  server_.reset();  // drops the stalled connection
  EXPECT_EQ(stats_.destroyed, 1);
  EXPECT_EQ(stats_.finished, 0);
}

TEST_F(ServerTest, ListenFailureIsUnavailable) {
  StartServer();
  ServerOptions o;
  o.port = server_->port();
  Server second(o, router_);
  Status st = second.Listen();
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_NE(st.message().find(std::to_string(o.port)), std::string::npos);
}

TEST_F(ServerTest, ExtraListenerAcceptsUntilRemoved) {
  StartServer();
  Result<int> fd = Server::OpenListeningSocket("127.0.0.1", 0);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  const uint16_t extra = LocalPort(*fd);
  Result<int> id = server_->AddListener(*fd);
  ASSERT_TRUE(id.ok());
  {
    tcp::socket s(ioc_);
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), extra));
    boost::beast::flat_buffer buf;
    auto r = Exchange(s, buf, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(r.result_int(), 200u);
    EXPECT_EQ(r.body(), "hello world");
  }
  server_->RemoveListener(*id);  // closes the listener asynchronously, on its strand
  EXPECT_TRUE(WaitUntil([&] {
    tcp::socket s(ioc_);
    boost::system::error_code ec;
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), extra), ec);
    return static_cast<bool>(ec);
  })) << "the removed listener still accepts";
  EXPECT_FALSE(server_->AddListener(-1).ok());
}

TEST_F(ServerTest, ContextPerThreadServesAndStops) {
  ServerOptions options;
  options.context_per_thread = true;
  StartServer(options);
  std::vector<tcp::socket> socks;
  for (int i = 0; i < 4; ++i) socks.push_back(Connect());
  for (auto& s : socks) {
    boost::beast::flat_buffer buf;
    for (int j = 0; j < 2; ++j) {
      EXPECT_EQ(Exchange(s, buf, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").body(), "hello world");
    }
  }
  StopServer();  // idle keep-alive connections on every io_context are closed; Run() returns
  for (auto& s : socks) EXPECT_TRUE(ReadsEof(s));
}

TEST_F(ServerTest, ExtraListenerWithItsOwnRouter) {
  Router other;
  other.Add(Method::kGet, "/hello", [](Request&) { return Response::Text("other"); });
  StartServer();
  Result<int> fd = Server::OpenListeningSocket("127.0.0.1", 0);
  ASSERT_TRUE(fd.ok());
  const uint16_t extra = LocalPort(*fd);
  ASSERT_TRUE(server_->AddListener(*fd, &other).ok());
  tcp::socket s(ioc_);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), extra));
  boost::beast::flat_buffer buf;
  EXPECT_EQ(Exchange(s, buf, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").body(), "other");
}

}  // namespace
}  // namespace spacehub::http::server_test
