// Server: listener, io threads, connection registry and graceful shutdown.
//
// Threading: Listen() before Run(); Run() blocks on `threads` io threads; Stop() from any thread.
// The registry (`conns_`, with the open connections per client address) is guarded by `mu_`; the
// acceptor and the grace timer each live on their own strand and are only touched there after
// Listen().
#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/log.h"
#include "core/mutex.h"
#include "core/thread_name.h"
#include "http/connection.h"

namespace spacehub::http {
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Server::Impl final : public ConnectionHost {
 public:
  Impl(ServerOptions options, const Router& router)
      : options_(std::move(options)),
        router_(router),
        body_budget_(options_.body_memory_bytes),
        // A shared io_context must be told it has several threads: with a concurrency hint of 1,
        // Asio never wakes a second thread for queued work, and every handler ran on one
        // thread (a Xet upload's 2.5 s of hub CPU, all on the main thread).
        ioc_(std::make_unique<net::io_context>(options_.context_per_thread ? 1 : ThreadCount())) {
    acceptor_.emplace(net::make_strand(*ioc_));
    grace_timer_.emplace(net::make_strand(*ioc_));
    // context_per_thread: one io_context per thread (the first also runs the acceptors); a
    // connection lives on one thread for its whole life, so a request costs no wake-up of another
    // thread (one shared io_context run by N threads cost a futex wake per request in profiles).
    for (int i = 1; options_.context_per_thread && i < ThreadCount(); ++i) {
      workers_.push_back(std::make_unique<net::io_context>(1));
      guards_.emplace_back(workers_.back()->get_executor());
    }
    for (int i = 0; i < std::max(1, options_.slow_threads); ++i) {
      slow_threads_.emplace_back([this] {
        NameThisThread("http-slow");
        slow_ioc_.run();
      });
    }
  }

  ~Impl() override {
    // Slow work still queued or running (a background check whose client left) finishes first:
    // it may post its completion to the io_contexts below.
    slow_guard_.reset();
    for (auto& t : slow_threads_) t.join();
    {
      MutexLock lock(mu_);
      destroying_ = true;
      listeners_.clear();
    }
    acceptor_.reset();
    grace_timer_.reset();
    guards_.clear();
    workers_.clear();  // destroys any connection left after a forced stop
    ioc_.reset();
  }

  int ThreadCount() const {
    if (options_.threads > 0) return options_.threads;
    return std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  }

  Status Listen() {
    std::string where = options_.host + ":" + std::to_string(options_.port);
    boost::system::error_code ec;
    tcp::resolver resolver(*ioc_);
    auto results = resolver.resolve(options_.host.empty() ? "0.0.0.0" : options_.host,
                                    std::to_string(options_.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      return Status::Unavailable("cannot resolve listen address " + where + ": " + ec.message());
    }
    tcp::endpoint endpoint = results.begin()->endpoint();
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      boost::system::error_code ignored;
      acceptor_->close(ignored);
      return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
    }
    port_ = acceptor_->local_endpoint(ec).port();
    net::co_spawn(acceptor_->get_executor(), AcceptLoop(*acceptor_, router_),
                  [](const std::exception_ptr& e) {
                    if (e) spdlog::error("accept loop failed");
                  });
    spdlog::info("http listening host={} port={}", options_.host, port_.load());
    return Status::Ok();
  }

  uint16_t port() const { return port_; }

  Result<int> AddListener(int fd, const Router* router, bool urls_from_listener) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(fd);
      return Status::InvalidArgument("not a socket");
    }
    std::shared_ptr<const std::string> base_url;
    if (urls_from_listener && addr.ss_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
      char host[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
      base_url = std::make_shared<const std::string>(std::string("http://") + host + ":" +
                                                     std::to_string(ntohs(in->sin_port)));
    }
    auto acceptor = std::make_shared<tcp::acceptor>(net::make_strand(*ioc_));
    boost::system::error_code ec;
    acceptor->assign(addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) {
      ::close(fd);
      return Status::Internal("cannot accept on that socket: " + ec.message());
    }
    int id = 0;
    {
      MutexLock lock(mu_);
      if (stopping_) return Status::Unavailable("the server is stopping");
      id = ++last_listener_id_;
      listeners_[id] = acceptor;
    }
    net::co_spawn(acceptor->get_executor(),
                  AcceptLoop(*acceptor, router ? *router : router_, std::move(base_url)),
                  [acceptor](const std::exception_ptr& e) {
                    if (e) spdlog::error("accept loop failed");
                  });
    return id;
  }

  void RemoveListener(int id) {
    std::shared_ptr<tcp::acceptor> acceptor;
    {
      MutexLock lock(mu_);
      auto it = listeners_.find(id);
      if (it == listeners_.end()) return;
      acceptor = std::move(it->second);
      listeners_.erase(it);
    }
    net::post(acceptor->get_executor(), [acceptor] {
      boost::system::error_code ignored;
      acceptor->close(ignored);
    });
  }

  void Run() {
    const int n = ThreadCount();
    std::vector<std::thread> threads;
    for (int i = 1; i < n; ++i) {
      net::io_context& ioc = workers_.empty() ? *ioc_ : *workers_[i - 1];
      threads.emplace_back([this, &ioc] {
        NameThisThread("http-io");
        RunLoop(ioc);
      });
    }
    RunLoop(*ioc_);
    for (auto& t : threads) t.join();
  }

  void Stop() {
    bool expected = false;
    if (!stopping_.compare_exchange_strong(expected, true)) return;
    spdlog::info("http server stopping");
    net::post(acceptor_->get_executor(), [this] {
      boost::system::error_code ignored;
      acceptor_->close(ignored);
    });
    {
      MutexLock lock(mu_);
      for (auto& listener : listeners_) {
        // (Not a structured binding: clang cannot capture one before C++20's P1091 landed.)
        net::post(listener.second->get_executor(), [acceptor = listener.second] {
          boost::system::error_code ignored;
          acceptor->close(ignored);
        });
      }
      listeners_.clear();
    }
    net::post(grace_timer_->get_executor(), [this] {
      grace_timer_->expires_after(options_.shutdown_grace);
      grace_timer_->async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        spdlog::warn("http shutdown grace elapsed; dropping remaining connections");
        ioc_->stop();
        for (auto& w : workers_) w->stop();
      });
      MutexLock lock(mu_);
      if (conns_.empty()) {
        grace_timer_->cancel();
        guards_.clear();  // the worker threads return once their connections are gone
      }
    });
    std::vector<std::shared_ptr<Connection>> live;
    {
      MutexLock lock(mu_);
      for (auto& [ptr, weak] : conns_) {
        if (auto c = weak.lock()) live.push_back(std::move(c));
      }
    }
    for (auto& c : live) net::post(c->executor(), [c] { c->OnServerStop(); });
  }

  // ConnectionHost
  const ServerOptions& options() const override { return options_; }
  bool stopping() const override { return stopping_; }
  BodyBudget& body_budget() override { return body_budget_; }

  Admission Register(const std::shared_ptr<Connection>& conn) override {
    MutexLock lock(mu_);
    if (stopping_) return Admission::kStopping;
    size_t& open = per_client_[conn->remote_address()];
    if (options_.max_connections_per_client != 0 && open >= options_.max_connections_per_client) {
      if (open == 0) per_client_.erase(conn->remote_address());
      return Admission::kBusy;
    }
    ++open;
    conns_.emplace(conn.get(), conn);
    return Admission::kAdmitted;
  }

  net::any_io_executor slow_executor() override { return slow_ioc_.get_executor(); }

  void Unregister(Connection* conn) override {
    MutexLock lock(mu_);
    if (conns_.erase(conn) != 0) {
      auto it = per_client_.find(conn->remote_address());
      if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
    }
    if (stopping_ && conns_.empty() && !destroying_) {
      net::post(grace_timer_->get_executor(), [this] { grace_timer_->cancel(); });
      guards_.clear();
    }
  }

 private:
  void RunLoop(net::io_context& ioc) {
    while (true) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("io thread caught exception what={}", e.what());
      }
    }
  }

  // Connections are spread over the io_contexts round-robin.
  net::strand<net::io_context::executor_type> ConnectionExecutor() {
    const size_t i = next_context_++ % (workers_.size() + 1);
    return net::make_strand(i == 0 ? *ioc_ : *workers_[i - 1]);
  }

  // `acceptor` stays alive while the loop runs: the primary one is a member, extra ones are kept by
  // the completion handler that co_spawn holds.
  net::awaitable<void> AcceptLoop(tcp::acceptor& acceptor, const Router& router,
                                  std::shared_ptr<const std::string> base_url = nullptr) {
    while (true) {
      auto [ec, socket] =
          co_await acceptor.async_accept(ConnectionExecutor(), net::as_tuple(net::use_awaitable));
      if (ec) {
        if (stopping_ || ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
        spdlog::warn("accept failed error={}", ec.message());
        net::steady_timer backoff(acceptor.get_executor());
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(net::as_tuple(net::use_awaitable));
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto conn = std::make_shared<Connection>(std::move(socket), *this, router);
      if (base_url) conn->set_listener_url(base_url);
      Connection::Start(conn);
    }
  }

  const ServerOptions options_;
  const Router& router_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint16_t> port_{0};
  Mutex mu_;
  BodyBudget body_budget_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> conns_ GUARDED_BY(mu_);
  // Open connections per client address (max_connections_per_client).
  std::unordered_map<std::string, size_t> per_client_ GUARDED_BY(mu_);
  bool destroying_ GUARDED_BY(mu_) = false;
  std::map<int, std::shared_ptr<tcp::acceptor>> listeners_ GUARDED_BY(mu_);
  int last_listener_id_ GUARDED_BY(mu_) = 0;
  std::unique_ptr<net::io_context> ioc_;
  std::vector<std::unique_ptr<net::io_context>> workers_;  // one per further thread
  // Keep the workers' run() going until the server stops and its last connection ended.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_ GUARDED_BY(mu_);
  std::atomic<size_t> next_context_{0};
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::steady_timer> grace_timer_;
  // The pool for slow work: its own io_context, kept running until the server is destroyed.
  net::io_context slow_ioc_;
  net::executor_work_guard<net::io_context::executor_type> slow_guard_{slow_ioc_.get_executor()};
  std::vector<std::thread> slow_threads_;
};

Result<int> Server::OpenListeningSocket(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  net::ip::address address = net::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  const std::string where = host + ":" + std::to_string(port);
  if (ec) return Status::InvalidArgument("not a numeric address: " + host);
  net::io_context ioc;
  tcp::acceptor acceptor(ioc);
  tcp::endpoint endpoint(address, port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
  return acceptor.release();
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
Server::~Server() = default;
Status Server::Listen() { return impl_->Listen(); }
uint16_t Server::port() const { return impl_->port(); }
Result<int> Server::AddListener(int listening_fd, const Router* router, bool urls_from_listener) {
  return impl_->AddListener(listening_fd, router, urls_from_listener);
}
void Server::RemoveListener(int id) { impl_->RemoveListener(id); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace spacehub::http
