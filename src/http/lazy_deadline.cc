#include "http/lazy_deadline.h"

namespace spacehub::http {

using Clock = std::chrono::steady_clock;

namespace {
constexpr Clock::time_point kNone = Clock::time_point::max();
}  // namespace

struct LazyDeadline::State {
  explicit State(const boost::asio::any_io_executor& ex) : timer(ex) {}
  boost::asio::steady_timer timer;
  boost::asio::ip::tcp::socket* socket = nullptr;  // null once detached
  Clock::time_point deadline = kNone;              // of the wait in progress; kNone: none
  bool armed = false;
  bool expired = false;
};

LazyDeadline::LazyDeadline(const boost::asio::any_io_executor& executor)
    : st_(std::make_shared<State>(executor)) {}

LazyDeadline::~LazyDeadline() {
  st_->socket = nullptr;
  st_->deadline = kNone;
  try {
    st_->timer.cancel();  // throws only if the reactor itself fails; nothing to do then
  } catch (...) {         // NOLINT(bugprone-empty-catch)
  }
}

void LazyDeadline::Start(boost::asio::ip::tcp::socket& socket, Clock::duration timeout) {
  st_->socket = &socket;
  st_->deadline = Clock::now() + timeout;
  st_->expired = false;
  if (!st_->armed) {
    Arm(st_);
  } else if (st_->deadline < st_->timer.expiry()) {
    st_->timer.cancel();  // sooner than the timer wakes: its handler arms it again
  }
}

void LazyDeadline::Stop() { st_->deadline = kNone; }

bool LazyDeadline::expired() const { return st_->expired; }

void LazyDeadline::Arm(const std::shared_ptr<State>& st) {
  st->armed = true;
  st->timer.expires_at(st->deadline);
  st->timer.async_wait([st](const boost::system::error_code&) {
    st->armed = false;
    if (st->socket == nullptr || st->deadline == kNone) return;  // detached, or no wait now
    if (Clock::now() < st->deadline) {
      Arm(st);  // a later wait moved the deadline (or the timer was cancelled to come sooner)
      return;
    }
    st->expired = true;
    boost::system::error_code ignored;
    st->socket->cancel(ignored);
  });
}

}  // namespace spacehub::http
