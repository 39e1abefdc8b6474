// Loopback tests for Server: a real listener on 127.0.0.1, driven by raw TCP with Beast's sync
// client-side parser.
#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace spacehub::http {
namespace {
namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// Tests wait for events, never for time: each wait has a bound that only a broken server reaches
// (a slow machine takes milliseconds where the bound allows a minute).
constexpr auto kEventBound = 60s;

// What the upload sinks saw; a test can wait until a condition on it holds.
struct SinkStats {
  std::atomic<int> created{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<int> finished{0};
  std::atomic<int> destroyed{0};

  // Call after changing a counter: taking the mutex orders the change before any waiter's check.
  void Changed() {
    { std::lock_guard<std::mutex> lock(mu); }
    cv.notify_all();
  }
  template <class Pred>
  bool WaitFor(Pred done) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, kEventBound, done);
  }

  std::mutex mu;
  std::condition_variable cv;
};

// A one-shot event between threads.
class Gate {
 public:
  void Open() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  bool Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kEventBound, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Polls `done` until it holds (for conditions no callback reports, such as a port refusing).
template <class Pred>
bool WaitUntil(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + kEventBound;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

class CountingSink final : public BodySink {
 public:
  explicit CountingSink(SinkStats& stats, uint64_t fail_after)
      : stats_(stats), fail_after_(fail_after) {
    stats_.created++;
    stats_.Changed();
  }
  ~CountingSink() override {
    stats_.destroyed++;
    stats_.Changed();
  }
  Status Write(std::string_view chunk) override {
    seen_ += chunk.size();
    stats_.bytes += chunk.size();
    stats_.Changed();
    if (seen_ > fail_after_) return Status::PayloadTooLarge("sink full");
    return Status::Ok();
  }
  Response Finish() override {
    stats_.finished++;
    stats_.Changed();
    return Response::Json({{"bytes", seen_}});
  }

 private:
  SinkStats& stats_;
  uint64_t fail_after_;
  uint64_t seen_ = 0;
};

class CountingSource final : public BodySource {
 public:
  Result<size_t> Read(char* buf, size_t capacity) override {
    if (left_ == 0) return size_t{0};
    left_--;
    std::string piece = "chunk" + std::to_string(left_) + ";";
    std::copy(piece.begin(), piece.end(), buf);
    return piece.size();
  }

 private:
  int left_ = 3;
};

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_content_ = Pattern(300 * 1024 + 17);
    // Unique per process: ctest runs each test as its own process, two at a time.
    file_path_ = ::testing::TempDir() + "/server_test_file." + std::to_string(::getpid()) + ".bin";
    std::ofstream(file_path_, std::ios::binary) << file_content_;

    router_.Add(Method::kGet, "/hello", [](Request&) {
      Response r = Response::Text("hello world");
      r.ranges_allowed = true;
      return r;
    });
    router_.Add(Method::kGet, "/file", [this](Request&) {
      auto f = FileBody::Open(file_path_);
      if (!f.ok()) return Response::Error(f.status());
      Response r;
      r.file = std::move(f).value();
      r.ranges_allowed = true;
      return r;
    });
    router_.Add(Method::kHead, "/announced", [](Request&) {
      Response r = Response::Text("");
      r.Header("Content-Length", "12345");
      return r;
    });
    router_.Add(Method::kPost, "/echo", [](Request& req) {
      return Response::Json({{"size", req.body.size()}, {"q", req.Query("q").value_or("")}});
    });
    // In flight until the test lets it finish.
    router_.Add(Method::kGet, "/slow", [this](Request&) {
      slow_started_.Open();
      slow_release_.Wait();
      return Response::Text("slow done");
    });
    router_.Add(Method::kGet, "/throw",
                [](Request&) -> Response { throw std::runtime_error("boom"); });
    router_.Add(Method::kGet, "/stream", [](Request&) {
      Response r;
      r.stream = std::make_unique<CountingSource>();
      return r;
    });
    router_.AddStreaming(
        Method::kPut, "/upload/{id}", [this](Request& req) -> Result<std::unique_ptr<BodySink>> {
          if (req.Param("id") == "denied") {
            return Status::PermissionDenied("no uploads here");
          }
          uint64_t limit = req.Param("id") == "small" ? 1000 : UINT64_MAX;
          return std::unique_ptr<BodySink>(std::make_unique<CountingSink>(stats_, limit));
        });
  }

  void TearDown() override {
    StopServer();
    std::remove(file_path_.c_str());
  }

  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    if (options.shutdown_grace == ServerOptions().shutdown_grace) options.shutdown_grace = 5s;
    server_ = std::make_unique<Server>(options, router_);
    ASSERT_TRUE(server_->Listen().ok());
    std::promise<void> returned;
    run_returned_ = returned.get_future();
    thread_ = std::thread([this, returned = std::move(returned)]() mutable {
      server_->Run();
      returned.set_value();
    });
  }

  // True once Run() has returned (false after kEventBound).
  bool RunReturns() { return run_returned_.wait_for(kEventBound) == std::future_status::ready; }

  void StopServer() {
    if (!server_) return;
    server_->Stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  tcp::socket Connect() {
    tcp::socket s(ioc_);
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    // Reads wait for the server's answer or close; only a broken server makes one wait this long.
    timeval tv{std::chrono::duration_cast<std::chrono::seconds>(kEventBound).count(), 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
  }

  static bhttp::response<bhttp::string_body> Read(tcp::socket& s, boost::beast::flat_buffer& buf,
                                                  bool head = false) {
    bhttp::response_parser<bhttp::string_body> p;
    p.body_limit(boost::none);
    if (head) p.skip(true);
    boost::system::error_code ec;
    bhttp::read(s, buf, p, ec);
    EXPECT_FALSE(ec) << ec.message();
    return p.release();
  }

  bhttp::response<bhttp::string_body> Exchange(tcp::socket& s, boost::beast::flat_buffer& buf,
                                               const std::string& raw, bool head = false) {
    net::write(s, net::buffer(raw));
    return Read(s, buf, head);
  }

  bhttp::response<bhttp::string_body> Once(const std::string& raw, bool head = false) {
    tcp::socket s = Connect();
    boost::beast::flat_buffer buf;
    return Exchange(s, buf, raw, head);
  }

  // True when the server closed the connection (read returns EOF).
  static bool ReadsEof(tcp::socket& s) {
    char c;
    boost::system::error_code ec;
    s.read_some(net::buffer(&c, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

  Router router_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::future<void> run_returned_;
  net::io_context ioc_;
  SinkStats stats_;
  Gate slow_started_;
  Gate slow_release_;
  std::string file_content_;
  std::string file_path_;
};

TEST_F(ServerTest, KeepAliveAndRequestIds) {
  StartServer();
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  auto r1 = Exchange(s, buf, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r1.result_int(), 200);
  EXPECT_EQ(r1.body(), "hello world");
  EXPECT_EQ(r1["Server"], "spacehub");
  EXPECT_EQ(r1["Accept-Ranges"], "bytes");
  EXPECT_EQ(r1["X-Request-Id"].size(), 16u);
  auto r2 = Exchange(s, buf, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: my-id.1\r\n\r\n");
  EXPECT_EQ(r2.result_int(), 200);
  EXPECT_EQ(r2["X-Request-Id"], "my-id.1");
  auto r3 = Exchange(s, buf,
                     "GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: bad id!\r\n"
                     "X-Amzn-Trace-Id: 1234-abcd\r\n\r\n");
  EXPECT_EQ(r3["X-Request-Id"], "1234-abcd");
  auto r4 = Exchange(s, buf, "POST /echo?q=a%20b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(nlohmann::json::parse(r4.body())["size"], 5);
  EXPECT_EQ(nlohmann::json::parse(r4.body())["q"], "a b");
  auto r5 = Exchange(s, buf, "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r5.result_int(), 200);
  EXPECT_TRUE(ReadsEof(s));
}

TEST_F(ServerTest, ErrorsAsJson) {
  StartServer();
  auto nf = Once("GET /nope HTTP/1.1\r\n\r\n");
  EXPECT_EQ(nf.result_int(), 404);
  EXPECT_EQ(nf["Content-Type"], "application/json");
  EXPECT_FALSE(nlohmann::json::parse(nf.body())["error"].get<std::string>().empty());
  EXPECT_EQ(Once("DELETE /hello HTTP/1.1\r\n\r\n").result_int(), 405);
  EXPECT_EQ(Once("GET /hel%zzlo HTTP/1.1\r\n\r\n").result_int(), 400);
  EXPECT_EQ(Once("GET /hello?a=%z HTTP/1.1\r\n\r\n").result_int(), 400);
  auto thrown = Once("GET /throw HTTP/1.1\r\n\r\n");
  EXPECT_EQ(thrown.result_int(), 500);
  EXPECT_EQ(nlohmann::json::parse(thrown.body())["error"], "internal error");
  EXPECT_EQ(thrown["X-Error-Message"], "internal error");
}

TEST_F(ServerTest, RangesOnString) {
  StartServer();
  auto r = Once("GET /hello HTTP/1.1\r\nRange: bytes=0-4\r\n\r\n");
  EXPECT_EQ(r.result_int(), 206);
  EXPECT_EQ(r.body(), "hello");
  EXPECT_EQ(r["Content-Range"], "bytes 0-4/11");
  auto tail = Once("GET /hello HTTP/1.1\r\nRange: bytes=-5\r\n\r\n");
  EXPECT_EQ(tail.body(), "world");
  auto bad = Once("GET /hello HTTP/1.1\r\nRange: bytes=20-\r\n\r\n");
  EXPECT_EQ(bad.result_int(), 416);
  EXPECT_EQ(bad["Content-Range"], "bytes */11");
  auto multi = Once("GET /hello HTTP/1.1\r\nRange: bytes=0-1,3-4\r\n\r\n");
  EXPECT_EQ(multi.result_int(), 200);
  EXPECT_EQ(multi.body(), "hello world");
}

TEST_F(ServerTest, FileBodiesAndRanges) {
  StartServer();
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  auto full = Exchange(s, buf, "GET /file HTTP/1.1\r\n\r\n");
  EXPECT_EQ(full.result_int(), 200);
  EXPECT_TRUE(full.body() == file_content_);
  auto part = Exchange(s, buf, "GET /file HTTP/1.1\r\nRange: bytes=1000-200999\r\n\r\n");
  EXPECT_EQ(part.result_int(), 206);
  EXPECT_EQ(part["Content-Range"], "bytes 1000-200999/" + std::to_string(file_content_.size()));
  EXPECT_TRUE(part.body() == file_content_.substr(1000, 200000));
  auto tail = Exchange(s, buf, "GET /file HTTP/1.1\r\nRange: bytes=-10\r\n\r\n");
  EXPECT_EQ(tail.body(), file_content_.substr(file_content_.size() - 10));
  auto bad = Exchange(s, buf, "GET /file HTTP/1.1\r\nRange: bytes=999999999-\r\n\r\n");
  EXPECT_EQ(bad.result_int(), 416);
  EXPECT_EQ(bad["Content-Range"], "bytes */" + std::to_string(file_content_.size()));
}

TEST_F(ServerTest, HeadSendsLengthWithoutBody) {
  StartServer();
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  auto h = Exchange(s, buf, "HEAD /hello HTTP/1.1\r\n\r\n", /*head=*/true);
  EXPECT_EQ(h.result_int(), 200);
  EXPECT_EQ(h["Content-Length"], "11");
  auto hf = Exchange(s, buf, "HEAD /file HTTP/1.1\r\nRange: bytes=0-99\r\n\r\n", true);
  EXPECT_EQ(hf.result_int(), 206);
  EXPECT_EQ(hf["Content-Length"], "100");
  auto ha = Exchange(s, buf, "HEAD /announced HTTP/1.1\r\n\r\n", true);
  EXPECT_EQ(ha["Content-Length"], "12345");
  // Had a body been sent, this response would be garbage.
  auto g = Exchange(s, buf, "GET /hello HTTP/1.1\r\n\r\n");
  EXPECT_EQ(g.body(), "hello world");
}

TEST_F(ServerTest, StreamResponseIsChunked) {
  StartServer();
  auto r = Once("GET /stream HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r["Transfer-Encoding"], "chunked");
  EXPECT_EQ(r.body(), "chunk2;chunk1;chunk0;");
}

TEST_F(ServerTest, StreamingUploads) {
  StartServer();
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  std::string body = Pattern(1024 * 1024 + 3);
  auto r = Exchange(s, buf,
                    "PUT /upload/a HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\n\r\n" + body);
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(nlohmann::json::parse(r.body())["bytes"], body.size());
  // Chunked request body on the same connection.
  auto c = Exchange(s, buf,
                    "PUT /upload/b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_EQ(nlohmann::json::parse(c.body())["bytes"], 11);
  // Expect: 100-continue.
  net::write(s, net::buffer(std::string("PUT /upload/c HTTP/1.1\r\nContent-Length: 4\r\n"
                                        "Expect: 100-continue\r\n\r\n")));
  std::string interim;
  size_t n = net::read_until(s, net::dynamic_buffer(interim), "\r\n\r\n");
  EXPECT_EQ(interim.substr(0, n), "HTTP/1.1 100 Continue\r\n\r\n");
  auto e = Exchange(s, buf, "abcd");
  EXPECT_EQ(nlohmann::json::parse(e.body())["bytes"], 4);
  EXPECT_EQ(stats_.finished, 3);
  EXPECT_EQ(stats_.destroyed, 3);
}

TEST_F(ServerTest, StreamingRefusalsAndSinkErrors) {
  StartServer();
  {
    tcp::socket s = Connect();
    boost::beast::flat_buffer buf;
    auto r = Exchange(s, buf, "PUT /upload/denied HTTP/1.1\r\nContent-Length: 10\r\n\r\n");
    EXPECT_EQ(r.result_int(), 403);
    EXPECT_EQ(r["Connection"], "close");
  }
  {
    tcp::socket s = Connect();
    boost::beast::flat_buffer buf;
    std::string body(5000, 'x');
    auto r = Exchange(s, buf, "PUT /upload/small HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + body);
    EXPECT_EQ(r.result_int(), 413);
    EXPECT_EQ(stats_.finished, 0);
    EXPECT_EQ(stats_.destroyed, 1);
  }
}

TEST_F(ServerTest, ClientGoneMidBodyDestroysSinkWithoutFinish) {
  StartServer();
  {
    tcp::socket s = Connect();
    net::write(s, net::buffer("PUT /upload/a HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n" +
                              std::string(300000, 'x')));
    ASSERT_TRUE(stats_.WaitFor([this] { return stats_.bytes >= 256 * 1024; }));
  }  // the client goes away mid-body
  ASSERT_TRUE(stats_.WaitFor([this] { return stats_.destroyed > 0; }));
  EXPECT_EQ(stats_.destroyed, 1);
  EXPECT_EQ(stats_.finished, 0);
  EXPECT_GE(stats_.bytes, 256u * 1024);
  EXPECT_LE(stats_.bytes, 300000u);
}

TEST_F(ServerTest, BodyLimit) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o);
  auto ok = Once("POST /echo HTTP/1.1\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'a'));
  EXPECT_EQ(ok.result_int(), 200);
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  auto big = Exchange(s, buf, "POST /echo HTTP/1.1\r\nContent-Length: 2048\r\n\r\n");
  EXPECT_EQ(big.result_int(), 413);
  EXPECT_EQ(big["Connection"], "close");
  EXPECT_TRUE(ReadsEof(s));
  std::string chunk(1000, 'b');
  auto chunked = Once("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + chunk +
                      "\r\n3e8\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.result_int(), 413);
}

TEST_F(ServerTest, HeaderLimit) {
  ServerOptions o;
  o.max_header_bytes = 1024;
  StartServer(o);
  auto r = Once("GET /hello HTTP/1.1\r\nX-Big: " + std::string(4096, 'h') + "\r\n\r\n");
  EXPECT_EQ(r.result_int(), 431);
  EXPECT_EQ(r["X-Error-Code"], "RequestHeaderFieldsTooLarge");
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

TEST_F(ServerTest, ListenFailureIsUnavailable) {
  StartServer();
  ServerOptions o;
  o.port = server_->port();
  Server second(o, router_);
  Status st = second.Listen();
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_NE(st.message().find(std::to_string(o.port)), std::string::npos);
}

}  // namespace
}  // namespace spacehub::http

namespace spacehub::http {
namespace {

uint16_t LocalPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
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

// ------------------------------------------------------------------ the edge against hostile
// clients

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

TEST_F(ServerTest, CredentialsAreCheckedBeforeTheBody) {
  std::atomic<int> invoked{0};
  router_.Add(Method::kPost, "/private", [&](Request& req) {
    ++invoked;
    return Response::Json({{"size", req.body.size()}});
  });
  router_.Add(
      Method::kPost, "/public",
      [&](Request& req) {
        ++invoked;
        return Response::Json({{"size", req.body.size()}});
      },
      BodyRules::Anonymous());
  router_.SetCredentialCheck([](const Request& req) {
    return req.Header("authorization") == "Bearer good" ? Status::Ok()
                                                        : Status::Unauthenticated("who are you");
  });
  StartServer();
  // 1 GB announced, nothing sent: the answer comes from the head alone, then the close.
  for (std::string auth : {"", "Authorization: Bearer bad\r\n"}) {
    tcp::socket s = Connect();
    boost::beast::flat_buffer buf;
    auto r = Exchange(s, buf,
                      "POST /private HTTP/1.1\r\n" + auth + "Content-Length: 1000000000\r\n\r\n");
    EXPECT_EQ(r.result_int(), 401) << auth;
    EXPECT_TRUE(ReadsEof(s));
  }
  EXPECT_EQ(invoked, 0);
  auto good =
      Once("POST /private HTTP/1.1\r\nAuthorization: Bearer good\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(good.result_int(), 200);
  auto anon = Once("POST /public HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(anon.result_int(), 200);
  // Without a body there is nothing to protect: the handler decides.
  auto empty = Once("POST /private HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(empty.result_int(), 200);
  EXPECT_EQ(invoked, 3);
}

TEST_F(ServerTest, PerRouteBodyLimits) {
  router_.Add(
      Method::kPost, "/large",
      [](Request& req) {
        return Response::Json({{"size", req.body.size()}});
      },
      BodyRules::Large());
  ServerOptions o;
  o.max_small_body_bytes = 1000;
  o.max_body_bytes = 5000;
  StartServer(o);
  EXPECT_EQ(Once("POST /echo HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'a'))
                .result_int(),
            200);
  EXPECT_EQ(Once("POST /echo HTTP/1.1\r\nContent-Length: 1001\r\n\r\n").result_int(), 413);
  EXPECT_EQ(Once("POST /large HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'a'))
                .result_int(),
            200);
  EXPECT_EQ(Once("POST /large HTTP/1.1\r\nContent-Length: 5001\r\n\r\n").result_int(), 413);
}

TEST_F(ServerTest, BodyMemoryBudgetIsSharedByAllConnections) {
  ServerOptions o;
  o.body_memory_bytes = 2000;
  StartServer(o);
  // The first request holds 1500 bytes of the budget while its body is awaited (100 Continue
  // comes after the reservation).
  tcp::socket first = Connect();
  net::write(first,
             net::buffer(std::string(
                 "POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1500\r\n\r\n")));
  std::string interim;
  net::read_until(first, net::dynamic_buffer(interim), "\r\n\r\n");
  ASSERT_EQ(interim.substr(0, 12), "HTTP/1.1 100");
  auto busy = Once("POST /echo HTTP/1.1\r\nContent-Length: 1000\r\n\r\n");
  EXPECT_EQ(busy.result_int(), 503);
  EXPECT_EQ(busy["X-Error-Code"], "BodyMemoryExhausted");
  EXPECT_FALSE(busy["Retry-After"].empty());
  // More than the whole budget can never fit: 413, not "try later".
  EXPECT_EQ(Once("POST /echo HTTP/1.1\r\nContent-Length: 2001\r\n\r\n").result_int(), 413);
  // The first request completes: its share comes back.
  boost::beast::flat_buffer fbuf;
  auto done = Exchange(first, fbuf, std::string(1500, 'x'));
  EXPECT_EQ(done.result_int(), 200);
  // The share is released as the first request's handling ends, which may be just after its answer.
  EXPECT_TRUE(WaitUntil([&] {
    return Once("POST /echo HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'y'))
               .result_int() == 200;
  }));
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
}  // namespace spacehub::http
