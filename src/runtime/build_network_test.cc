#include "runtime/build_network.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace spacehub::runtime {
namespace {

TEST(BuildNetwork, ParsesIndexUrls) {
  auto a = ParseIndexUrl("https://pypi.example.org/simple/");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "pypi.example.org");
  EXPECT_EQ(a->port, 443);
  EXPECT_FALSE(a->ip_literal);
  auto b = ParseIndexUrl("http://user:pw@127.0.0.1:8081/simple");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "127.0.0.1");
  EXPECT_EQ(b->port, 8081);
  EXPECT_TRUE(b->ip_literal);
  auto c = ParseIndexUrl("http://[::1]:9000/");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 9000);
  EXPECT_FALSE(ParseIndexUrl("file:///srv/wheels").ok());
  EXPECT_FALSE(ParseIndexUrl("http://host:99999/").ok());
  EXPECT_FALSE(ParseIndexUrl("http://bad host/").ok());
}

TEST(BuildNetwork, RelayedUrlKeepsHostNamesAndMovesAddressesToLoopback) {
  const std::string named = "https://pypi.example.org:8443/simple/";
  EXPECT_EQ(RelayedIndexUrl(named, *ParseIndexUrl(named)), named);
  const std::string lo = "http://127.0.0.1:8081/simple/";
  EXPECT_EQ(RelayedIndexUrl(lo, *ParseIndexUrl(lo)), lo);
  const std::string lan = "http://u:p@10.1.2.3:3141/root/pypi/+simple/";
  EXPECT_EQ(RelayedIndexUrl(lan, *ParseIndexUrl(lan)),
            "http://u:p@127.0.0.1:3141/root/pypi/+simple/");
  auto files = IndexResolverFiles(*ParseIndexUrl(named));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].first, "/etc/hosts");
  EXPECT_NE(files[0].second.find("127.0.0.1 pypi.example.org\n"), std::string::npos);
  EXPECT_EQ(files[1].second, "hosts: files\n");
}

int ListenLoopback(int* port) {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || ::listen(s, 8) != 0) return -1;
  socklen_t len = sizeof(a);
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return s;
}

// Connects to 127.0.0.1:port from the calling thread's network; the errno on failure.
int ConnectLoopback(int port, int* fd) {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    int err = errno;
    ::close(s);
    return err;
  }
  *fd = s;
  return 0;
}

// The index (an echo server here) is reachable inside; another loopback service is not.
TEST(BuildNetwork, InsideOnlyTheIndexIsReachable) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (a network namespace)";
  int index_port = 0, other_port = 0;
  int index = ListenLoopback(&index_port);
  int other = ListenLoopback(&other_port);
  ASSERT_GE(index, 0);
  ASSERT_GE(other, 0);
  std::thread echo([&] {
    int c = ::accept(index, nullptr, nullptr);
    char buf[64];
    ssize_t n = ::read(c, buf, sizeof(buf));
    if (n > 0) (void)!::write(c, buf, static_cast<size_t>(n));
    ::close(c);
  });
  auto relay = IndexRelay::Open(*ParseIndexUrl("http://127.0.0.1:" + std::to_string(index_port)));
  ASSERT_TRUE(relay.ok()) << relay.status().message();
  std::string got;
  int other_err = 0;
  Status st = (*relay)->RunInside([&]() -> Status {
    int fd = -1;
    other_err = ConnectLoopback(other_port, &fd);
    if (other_err == 0) ::close(fd);
    if (ConnectLoopback(index_port, &fd) != 0) return Status::Internal("index unreachable");
    (void)!::write(fd, "ping", 4);
    char buf[64];
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10'000) == 1) {
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n > 0) got.assign(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return Status::Ok();
  });
  echo.join();
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(got, "ping");
  EXPECT_EQ(other_err, ECONNREFUSED);
  EXPECT_EQ((*relay)->accepted(), 1);
  relay->reset();
  ::close(index);
  ::close(other);
}

}  // namespace
}  // namespace spacehub::runtime
