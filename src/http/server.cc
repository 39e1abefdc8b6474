// Server: listener, io threads, connection registry and graceful shutdown.
//
// Threading: Listen() before Run(); Run() blocks on `threads` io threads; Stop() from any thread.
// The registry (`conns_`) is guarded by `mu_`; the acceptor and the grace timer each live on their
// own strand and are only touched there after Listen().
#include "http/server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/log.h"
#include "http/connection.h"

namespace spacehub::http {
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Server::Impl final : public ConnectionHost {
 public:
  Impl(ServerOptions options, const Router& router)
      : options_(std::move(options)),
        router_(router),
        ioc_(std::make_unique<net::io_context>(ThreadCount())) {
    acceptor_.emplace(net::make_strand(*ioc_));
    grace_timer_.emplace(net::make_strand(*ioc_));
  }

  ~Impl() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      destroying_ = true;
    }
    acceptor_.reset();
    grace_timer_.reset();
    ioc_.reset();  // destroys any connection left after a forced stop
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
    net::co_spawn(acceptor_->get_executor(), AcceptLoop(), [](std::exception_ptr e) {
      if (e) spdlog::error("accept loop failed");
    });
    spdlog::info("http listening host={} port={}", options_.host, port_.load());
    return Status::Ok();
  }

  uint16_t port() const { return port_; }

  void Run() {
    const int n = ThreadCount();
    std::vector<std::thread> threads;
    for (int i = 1; i < n; ++i) threads.emplace_back([this] { RunLoop(); });
    RunLoop();
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
    net::post(grace_timer_->get_executor(), [this] {
      grace_timer_->expires_after(options_.shutdown_grace);
      grace_timer_->async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        spdlog::warn("http shutdown grace elapsed; dropping remaining connections");
        ioc_->stop();
      });
      std::lock_guard<std::mutex> lock(mu_);
      if (conns_.empty()) grace_timer_->cancel();
    });
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [ptr, weak] : conns_) {
        if (auto c = weak.lock()) live.push_back(std::move(c));
      }
    }
    for (auto& c : live) net::post(c->executor(), [c] { c->OnServerStop(); });
  }

  // ConnectionHost
  const ServerOptions& options() const override { return options_; }
  const Router& router() const override { return router_; }
  bool stopping() const override { return stopping_; }

  bool Register(const std::shared_ptr<Connection>& conn) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    conns_.emplace(conn.get(), conn);
    return true;
  }

  void Unregister(Connection* conn) override {
    std::lock_guard<std::mutex> lock(mu_);
    conns_.erase(conn);
    if (stopping_ && conns_.empty() && !destroying_) {
      net::post(grace_timer_->get_executor(), [this] { grace_timer_->cancel(); });
    }
  }

 private:
  void RunLoop() {
    while (true) {
      try {
        ioc_->run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("io thread caught exception what={}", e.what());
      }
    }
  }

  net::awaitable<void> AcceptLoop() {
    while (true) {
      auto [ec, socket] = co_await acceptor_->async_accept(net::make_strand(*ioc_),
                                                           net::as_tuple(net::use_awaitable));
      if (ec) {
        if (stopping_ || ec == net::error::operation_aborted) co_return;
        spdlog::warn("accept failed error={}", ec.message());
        net::steady_timer backoff(acceptor_->get_executor());
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(net::as_tuple(net::use_awaitable));
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      Connection::Start(std::make_shared<Connection>(std::move(socket), *this));
    }
  }

  const ServerOptions options_;
  const Router& router_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint16_t> port_{0};
  std::mutex mu_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> conns_;  // guarded by mu_
  bool destroying_ = false;                                           // guarded by mu_
  std::unique_ptr<net::io_context> ioc_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::steady_timer> grace_timer_;
};

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
Server::~Server() = default;
Status Server::Listen() { return impl_->Listen(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace spacehub::http
