// The fixture of the Server loopback tests (server_*_test.cc): a real listener on 127.0.0.1,
// driven by raw TCP with Beast's sync client-side parser, and the routes, sinks and sources the
// tests exercise. Tests only; each test owns its fixture (the server's threads only touch the
// thread-safe parts: SinkStats, the Gates).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pthread.h>
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
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/server.h"
#include "testing/temp_dir.h"

namespace spacehub::http::server_test {
namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

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

inline std::string ThisThreadName() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

// A body whose content comes from background work: the work waits for `release`, then names the
// thread it ran on; Read has nothing until then.
class BackgroundSource final : public BodySource {
 public:
  BackgroundSource(Gate& started, Gate& release)
      : started_(started), release_(release), result_(std::make_shared<Outcome>()) {}
  std::function<void()> TakeBackgroundWork() override {
    return [result = result_, &started = started_, &release = release_] {
      started.Open();
      release.Wait();
      std::lock_guard<std::mutex> lock(result->mu);
      result->text = "worked on " + ThisThreadName();
      result->done = true;
    };
  }
  Result<size_t> Read(char* buf, size_t capacity) override {
    std::lock_guard<std::mutex> lock(result_->mu);
    if (!result_->done) return BodySource::kNotYet;
    if (sent_) return size_t{0};
    sent_ = true;
    std::copy(result_->text.begin(), result_->text.end(), buf);
    return result_->text.size();
  }
  std::chrono::milliseconds PollInterval() const override { return 5ms; }

 private:
  struct Outcome {
    std::mutex mu;
    std::string text;
    bool done = false;
  };
  Gate& started_;
  Gate& release_;
  std::shared_ptr<Outcome> result_;
  bool sent_ = false;
};

// Serves `data` in small pieces, as a rebuilt file would, honouring the window it is narrowed to.
// `short_by` bytes are missing at the end (a store that lost data): the response must be cut.
class StringSized final : public SizedSource {
 public:
  explicit StringSized(std::string data, size_t short_by = 0)
      : data_(std::move(data)), end_(data_.size()), short_by_(short_by) {}
  uint64_t Length() const override { return end_ - pos_; }
  void Narrow(uint64_t offset, uint64_t length) override {
    pos_ += offset;
    end_ = pos_ + length;
  }
  Result<size_t> Read(char* buf, size_t capacity) override {
    size_t avail = end_ - pos_ > short_by_ ? end_ - pos_ - short_by_ : 0;
    size_t n = std::min({capacity, avail, size_t{1000}});
    std::copy_n(data_.data() + pos_, n, buf);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
  size_t end_;
  size_t short_by_;
};

inline std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

// A server on 127.0.0.1 with a router of test routes (started by each test, with its options), and
// a file to serve in the test's own temporary directory.
class ServerTest : public spacehub::testing::TempDirTest {
 protected:
  void SetUp() override {
    // Over 1 MiB: a whole file goes out as a bulk send (corked, larger send buffer), ranges of it
    // the plain way; the keep-alive tests then show the connection is uncorked afterwards.
    file_content_ = Pattern((1 << 20) + 300 * 1024 + 17);
    file_path_ = (dir_ / "file.bin").string();
    spacehub::testing::WriteFile(file_path_, file_content_);

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
    // The same on the pool for slow work: the I/O threads go on serving meanwhile.
    router_.Add(
        Method::kGet, "/slow-offloaded",
        [this](Request&) {
          slow_started_.Open();
          slow_release_.Wait();
          return Response::Text("slow done on " + ThisThreadName());
        },
        BodyRules{.large = false, .anonymous = true, .offload = true});
    router_.Add(Method::kGet, "/background", [this](Request&) {
      Response r;
      r.stream = std::make_unique<BackgroundSource>(slow_started_, slow_release_);
      return r;
    });
    router_.Add(Method::kGet, "/throw",
                [](Request&) -> Response { throw std::runtime_error("boom"); });
    router_.Add(Method::kGet, "/stream", [](Request&) {
      Response r;
      r.stream = std::make_unique<CountingSource>();
      return r;
    });
    router_.Add(Method::kGet, "/sized", [this](Request& req) {
      Response r;
      r.sized = std::make_unique<StringSized>(file_content_, req.Query("short") ? 10 : 0);
      r.ranges_allowed = true;
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

  void TearDown() override { StopServer(); }

  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.threads == 0) options.threads = 2;
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

  // On a server with one I/O thread: `path` is held on the pool for slow work (slow_started_,
  // slow_release_), the I/O thread serves another request meanwhile, then `path` answers `body`.
  // Returns its connection, for more requests.
  tcp::socket ServedWhileHeld(const std::string& path, const std::string& body,
                              boost::beast::flat_buffer& buf) {
    tcp::socket busy = Connect();
    net::write(busy, net::buffer("GET " + path + " HTTP/1.1\r\n\r\n"));
    EXPECT_TRUE(slow_started_.Wait());
    EXPECT_EQ(Once("GET /hello HTTP/1.1\r\n\r\n").body(), "hello world");
    slow_release_.Open();
    auto r = Read(busy, buf);
    EXPECT_EQ(r.result_int(), 200);
    EXPECT_EQ(r.body(), body);
    return busy;
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

}  // namespace spacehub::http::server_test
