// Loopback tests for Server (server_test_fixture.h). Request bodies: streamed uploads and their
// sinks, buffered bodies and their limits, credentials before the body, the shared body memory.
#include "http/server_test_fixture.h"

namespace spacehub::http::server_test {
namespace {

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

}  // namespace
}  // namespace spacehub::http::server_test
