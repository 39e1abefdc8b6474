// Tests for the libcurl transport against a scripted loopback server: retries with Retry-After,
// no retry for plain calls, a 200 answer to a Range request restarting the file, and concurrent
// calls from several threads.
#include "client/http.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <vector>

#include "client/scripted_server_test_util.h"
#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

TEST(HttpTest, RetriesServerErrorsHonouringRetryAfter) {
  ScriptedServer s([](int n, const std::string&) {
    return n < 2 ? Answer(503, "busy", "Retry-After: 0\r\n") : Answer(200, "ok");
  });
  HttpRequest r;
  r.url = s.url("/x");
  HttpResponse resp = PerformWithRetry(r, RetryPolicy::kAll);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "ok");
  EXPECT_EQ(s.count(), 3);
}

TEST(HttpTest, PlainCallsAndDownloadsDoNotRetry5xx) {
  ScriptedServer s([](int, const std::string&) { return Answer(500, "no", "Retry-After: 0\r\n"); });
  HttpRequest r;
  r.url = s.url("/x");
  EXPECT_EQ(PerformWithRetry(r, RetryPolicy::kNone).status, 500);
  EXPECT_EQ(PerformWithRetry(r, RetryPolicy::kDownload).status, 500);
  EXPECT_EQ(s.count(), 2);
  EXPECT_TRUE(ShouldRetryStatus(429, RetryPolicy::kDownload));
  EXPECT_FALSE(ShouldRetryStatus(404, RetryPolicy::kAll));
}

TEST(HttpTest, RetryDelayDoublesToEightSecondsOrFollowsRetryAfter) {
  struct Case {
    int retry;
    const char* retry_after;
    int64_t ms;
  } cases[] = {
      {0, "", 1000},    {1, "", 2000},   {2, "", 4000},
      {3, "", 8000},    {4, "", 8000},   {9, "", 8000},
      {0, "0", 0},      {3, "2", 2000},  {0, "300", 300000},
      {1, "301", 2000}, {1, "-1", 2000}, {1, "Wed, 21 Oct 2015 07:28:00 GMT", 2000},
      {0, "1.5", 1000},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RetryDelay(c.retry, c.retry_after).count(), c.ms) << c.retry << " " << c.retry_after;
  }
}

TEST(HttpTest, StreamingSinkStopsTheTransferOnRequest) {
  ScriptedServer s([](int, const std::string&) { return Answer(200, std::string(100000, 'x')); });
  HttpRequest r;
  r.url = s.url("/stream");
  size_t got = 0;
  r.on_data = [&](const char*, size_t n) {
    got += n;
    return false;  // stop after the first chunk
  };
  HttpResponse resp = Perform(r);
  EXPECT_TRUE(resp.stopped);
  EXPECT_EQ(resp.status, 200);
  EXPECT_GT(got, 0u);
  EXPECT_LT(got, 100000u);
}

// A server that answers with headers and one chunk of body, then sends nothing more: a log stream
// that went quiet. It keeps the connection open until the client hangs up (or, should the client
// never do so, for `hold`), and records which came first.
class QuietServer {
 public:
  explicit QuietServer(std::chrono::milliseconds hold) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 4);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, hold] {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      (void)::read(c, buf, sizeof buf);
      std::string head =
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
          "data: one\n\n";
      (void)::write(c, head.data(), head.size());
      // Reads what else the client sends until it closes its end (end of file or reset).
      const auto until = std::chrono::steady_clock::now() + hold;
      while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        pollfd pfd{c, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) != 1) break;
        if (::read(c, buf, sizeof buf) <= 0) {
          client_left_first_ = true;
          break;
        }
      }
      ::close(c);
    });
  }
  ~QuietServer() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/logs"; }
  // Joins the server thread: true when the client hung up while the server still held on.
  bool ClientLeftFirst() {
    if (thread_.joinable()) thread_.join();
    return client_left_first_;
  }

 private:
  std::atomic<bool> client_left_first_{false};
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(HttpTest, AQuietStreamEndsAfterTheIdleTimeout) {
  // The server would hold the stream for a minute: only the idle timeout ends it sooner.
  QuietServer s(std::chrono::minutes(1));
  HttpRequest r;
  r.url = s.url();
  std::string got;
  r.on_data = [&](const char* d, size_t n) {
    got.append(d, n);
    return true;
  };
  r.idle_timeout_seconds = 1;
  auto start = std::chrono::steady_clock::now();
  HttpResponse resp = Perform(r);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(resp.idled);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(got, "data: one\n\n");
  EXPECT_GE(took, std::chrono::milliseconds(900)) << "ended before the stream was quiet for 1 s";
  EXPECT_TRUE(s.ClientLeftFirst()) << "the server's close ended the stream, not the idle timeout";
}

TEST(HttpTest, RefusedConnectionIsANetworkError) {
  HttpRequest r;
  r.url = "http://127.0.0.1:1/x";
  EXPECT_THROW(Perform(r), NetworkError);
}

TEST(HttpTest, RangeAnsweredWith200RestartsTheFile) {
  std::string seen;
  ScriptedServer s([&seen](int, const std::string& req) {
    seen = req;
    return Answer(200, "0123456789");
  });
  auto file = std::filesystem::temp_directory_path() / ("shc-http-" + std::to_string(::getpid()));
  std::ofstream(file) << "01234";
  HttpRequest r;
  r.url = s.url("/f");
  r.headers = {"Range: bytes=5-"};
  r.download_file = file.string();
  r.restart_on_200 = true;
  EXPECT_EQ(Perform(r).status, 200);
  EXPECT_NE(seen.find("Range: bytes=5-"), std::string::npos);
  std::ifstream in(file);
  std::string got((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(got, "0123456789");
  std::filesystem::remove(file);
}

TEST(HttpTest, ConcurrentCallsFromManyThreads) {
  ScriptedServer s([](int n, const std::string&) { return Answer(200, std::to_string(n)); });
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        HttpRequest r;
        r.url = s.url("/c");
        if (Perform(r).status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 40);
}

}  // namespace
}  // namespace spacehub::client::detail
