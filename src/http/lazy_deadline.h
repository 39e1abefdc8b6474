// LazyDeadline: a timeout for a run of short waits on one socket without a timer operation per wait
// (arming and cancelling a timer per read is a measurable share of a proxied request: two timer-
// queue updates under the reactor's lock). Each wait only writes down its deadline; one timer,
// armed when none is, wakes at the pending deadline and, if the wait in progress is past it,
// cancels the socket's operations; otherwise it sleeps on until the newer deadline. A busy
// connection thus costs about one timer wake per timeout period instead of two queue updates per
// read.
//
// Use: Start(socket, timeout) before an async operation on `socket`, Stop() after it; when the
// operation failed, expired() tells a timeout from other errors.
// Threading: every call, and the timer's handler, on the socket's strand. The object may be
// destroyed with the timer still pending (the handler then finds it detached and does nothing).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace spacehub::http {

class LazyDeadline final {
 public:
  explicit LazyDeadline(const boost::asio::any_io_executor& executor);
  ~LazyDeadline();
  LazyDeadline(const LazyDeadline&) = delete;
  LazyDeadline& operator=(const LazyDeadline&) = delete;

  // A wait on `socket` begins; it may last `timeout`.
  void Start(boost::asio::ip::tcp::socket& socket, std::chrono::steady_clock::duration timeout);
  // The wait ended (either way).
  void Stop();
  // The last wait was cut short by its deadline.
  bool expired() const;

 private:
  struct State;
  static void Arm(const std::shared_ptr<State>& st);
  std::shared_ptr<State> st_;
};

}  // namespace spacehub::http
