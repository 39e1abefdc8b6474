#include "proxy/app_pool.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

namespace spacehub::proxy {
namespace {

// Socket pairs stand in for connections to an app: `peers` keeps the app's ends.
struct Fake {
  std::vector<int> peers;
  std::atomic<int> opened{0};
  Result<int> Open() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0) {
      return Status::Internal("socketpair");
    }
    peers.push_back(sv[1]);
    opened++;
    return sv[0];
  }
  ~Fake() {
    for (int fd : peers) ::close(fd);
  }
};

TEST(AppPoolTest, ReusesIdleSocketsAndDropsClosedOnes) {
  Fake fake;
  AppPool pool([&](const std::string&, int) { return fake.Open(); }, 2, std::chrono::seconds(30));
  auto a = pool.Acquire("k", 7860, false);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->reused);
  pool.Release("k", 7860, a->fd);
  auto b = pool.Acquire("k", 7860, false);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->reused);
  EXPECT_EQ(b->fd, a->fd);
  EXPECT_EQ(fake.opened, 1);

  // The app closes an idle connection: it is not handed out again.
  pool.Release("k", 7860, b->fd);
  ::close(fake.peers[0]);
  fake.peers[0] = -1;
  auto c = pool.Acquire("k", 7860, false);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->reused);
  EXPECT_EQ(fake.opened, 2);

  // Another port or key is another pool; `fresh` skips the pool.
  pool.Release("k", 7860, c->fd);
  auto d = pool.Acquire("k", 7861, false);
  EXPECT_FALSE(d->reused);
  auto e = pool.Acquire("k", 7860, true);
  EXPECT_FALSE(e->reused);
  ::close(d->fd);
  ::close(e->fd);
  EXPECT_EQ(pool.idle_count(), 1u);
}

TEST(AppPoolTest, BoundedPerApp) {
  Fake fake;
  AppPool pool([&](const std::string&, int) { return fake.Open(); }, 2, std::chrono::seconds(30));
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i) fds.push_back(pool.Acquire("k", 1, false)->fd);
  for (int fd : fds) pool.Release("k", 1, fd);
  EXPECT_EQ(pool.idle_count(), 2u);
}

TEST(AppPoolTest, OpenerErrorsPassThrough) {
  AppPool pool([](const std::string&, int) -> Result<int> { return Status::Unavailable("down"); },
               2, std::chrono::seconds(30));
  auto r = pool.Acquire("k", 1, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace spacehub::proxy
