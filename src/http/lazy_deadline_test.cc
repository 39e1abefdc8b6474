#include "http/lazy_deadline.h"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <functional>

namespace spacehub::http {
namespace {
namespace net = boost::asio;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;

// A connected loopback TCP pair.
struct Pair {
  explicit Pair(net::io_context& ioc) : a(ioc), b(ioc) {
    tcp::acceptor acc(ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    a.connect(acc.local_endpoint());
    acc.accept(b);
  }
  tcp::socket a;
  tcp::socket b;
};

TEST(LazyDeadlineTest, AWaitPastItsDeadlineIsCancelled) {
  net::io_context ioc;
  Pair p(ioc);
  LazyDeadline d(ioc.get_executor());
  std::array<char, 16> buf{};
  boost::system::error_code got;
  // Taken before the deadline starts: the cut comes 30 ms after Start, not after this line.
  const auto t0 = std::chrono::steady_clock::now();
  d.Start(p.a, milliseconds(30));
  p.a.async_read_some(net::buffer(buf), [&](boost::system::error_code ec, size_t) {
    d.Stop();
    got = ec;
  });
  ioc.run_for(std::chrono::seconds(60));  // returns once the read ended; the bound is for a hang
  EXPECT_EQ(got, net::error::operation_aborted);
  EXPECT_TRUE(d.expired());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(30));
}

TEST(LazyDeadlineTest, WaitsThatEndInTimeAreNotCutAndTheTimerIsNotReArmedPerWait) {
  net::io_context ioc;
  Pair p(ioc);
  LazyDeadline d(ioc.get_executor());
  std::array<char, 16> buf{};
  int reads = 0;
  boost::system::error_code last;
  // 200 reads, each answered at once, each with a 10 s deadline: none expires.
  std::function<void()> next = [&] {
    d.Start(p.a, std::chrono::seconds(10));
    p.a.async_read_some(net::buffer(buf), [&](boost::system::error_code ec, size_t) {
      d.Stop();
      last = ec;
      if (ec || ++reads == 200) {
        ioc.stop();  // the 10 s timer is still pending: d's destructor detaches it
        return;
      }
      net::write(p.b, net::buffer("x", 1));
      next();
    });
  };
  net::write(p.b, net::buffer("x", 1));
  next();
  ioc.run_for(std::chrono::seconds(60));  // returns at the 200th read; the bound is for a hang
  EXPECT_EQ(reads, 200);
  EXPECT_FALSE(last);
  EXPECT_FALSE(d.expired());
}

TEST(LazyDeadlineTest, AShorterDeadlineAfterALongerOneStillCuts) {
  net::io_context ioc;
  Pair p(ioc);
  LazyDeadline d(ioc.get_executor());
  std::array<char, 16> buf{};
  d.Start(p.a, std::chrono::seconds(60));  // arms the timer for a minute
  d.Stop();
  boost::system::error_code got;
  d.Start(p.a, milliseconds(20));
  p.a.async_read_some(net::buffer(buf), [&](boost::system::error_code ec, size_t) {
    d.Stop();
    got = ec;
  });
  ioc.run_for(std::chrono::seconds(60));  // returns once the read ended: nothing else is pending
  EXPECT_EQ(got, net::error::operation_aborted);
  EXPECT_TRUE(d.expired());
}

TEST(LazyDeadlineTest, DestroyedWithTheTimerPendingIsHarmless) {
  net::io_context ioc;
  Pair p(ioc);
  std::array<char, 16> buf{};
  bool done = false;
  boost::system::error_code got;
  size_t n = 0;
  // A read outlives the deadline object that was timing it.
  p.a.async_read_some(net::buffer(buf), [&](boost::system::error_code ec, size_t bytes) {
    done = true;
    got = ec;
    n = bytes;
  });
  {
    LazyDeadline d(ioc.get_executor());
    d.Start(p.a, milliseconds(10));
  }
  // The only ready handler is the (cancelled) timer's: it runs against a detached state...
  EXPECT_EQ(ioc.run_one(), 1u);
  EXPECT_FALSE(done);
  // ...and has left the socket alone: the read still completes, with the byte sent now.
  net::write(p.b, net::buffer("x", 1));
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_TRUE(done);
  EXPECT_FALSE(got);
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(buf[0], 'x');
}

}  // namespace
}  // namespace spacehub::http
