// Loopback tests for Server (server_test_fixture.h). Responses: keep-alive and request ids, errors
// as JSON, ranges, files, HEAD, streamed bodies.
#include "http/server_test_fixture.h"

namespace spacehub::http::server_test {
namespace {

TEST_F(ServerTest, KeepAliveAndRequestIds) {
  StartServer();
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  auto r1 = Exchange(s, buf, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r1.result_int(), 200);
  EXPECT_EQ(r1.body(), "hello world");
  EXPECT_EQ(r1["Server"], "spacehub");
  EXPECT_EQ(r1["Accept-Ranges"], "bytes");
  EXPECT_EQ(r1["X-Request-Id"].size(), 16u);
  auto r2 = Exchange(s, buf, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: my-id.1\r\n\r\n");
  EXPECT_EQ(r2.result_int(), 200);
  EXPECT_EQ(r2["X-Request-Id"], "my-id.1");
  auto r3 = Exchange(s, buf,
                     "GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: bad id!\r\n"
                     "X-Amzn-Trace-Id: 1234-abcd\r\n\r\n");
  EXPECT_EQ(r3["X-Request-Id"], "1234-abcd");
  auto r4 = Exchange(s, buf, "POST /echo?q=a%20b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(nlohmann::json::parse(r4.body())["size"], 5);
  EXPECT_EQ(nlohmann::json::parse(r4.body())["q"], "a b");
  auto r5 = Exchange(s, buf, "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r5.result_int(), 200);
  EXPECT_TRUE(ReadsEof(s));
}

TEST_F(ServerTest, ErrorsAsJson) {
  StartServer();
  auto nf = Once("GET /nope HTTP/1.1\r\n\r\n");
  EXPECT_EQ(nf.result_int(), 404);
  EXPECT_EQ(nf["Content-Type"], "application/json");
  EXPECT_FALSE(nlohmann::json::parse(nf.body())["error"].get<std::string>().empty());
  EXPECT_EQ(Once("DELETE /hello HTTP/1.1\r\n\r\n").result_int(), 405);
  EXPECT_EQ(Once("GET /hel%zzlo HTTP/1.1\r\n\r\n").result_int(), 400);
  EXPECT_EQ(Once("GET /hello?a=%z HTTP/1.1\r\n\r\n").result_int(), 400);
  auto thrown = Once("GET /throw HTTP/1.1\r\n\r\n");
  EXPECT_EQ(thrown.result_int(), 500);
  EXPECT_EQ(nlohmann::json::parse(thrown.body())["error"], "internal error");
  EXPECT_EQ(thrown["X-Error-Message"], "internal error");
}

TEST_F(ServerTest, RangesOnString) {
  StartServer();
  auto r = Once("GET /hello HTTP/1.1\r\nRange: bytes=0-4\r\n\r\n");
  EXPECT_EQ(r.result_int(), 206);
  EXPECT_EQ(r.body(), "hello");
  EXPECT_EQ(r["Content-Range"], "bytes 0-4/11");
  auto tail = Once("GET /hello HTTP/1.1\r\nRange: bytes=-5\r\n\r\n");
  EXPECT_EQ(tail.body(), "world");
  auto bad = Once("GET /hello HTTP/1.1\r\nRange: bytes=20-\r\n\r\n");
  EXPECT_EQ(bad.result_int(), 416);
  EXPECT_EQ(bad["Content-Range"], "bytes */11");
  auto multi = Once("GET /hello HTTP/1.1\r\nRange: bytes=0-1,3-4\r\n\r\n");
  EXPECT_EQ(multi.result_int(), 200);
  EXPECT_EQ(multi.body(), "hello world");
}

TEST_F(ServerTest, FileBodiesAndRanges) {
  StartServer();
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  auto full = Exchange(s, buf, "GET /file HTTP/1.1\r\n\r\n");
  EXPECT_EQ(full.result_int(), 200);
  EXPECT_TRUE(full.body() == file_content_);
  auto part = Exchange(s, buf, "GET /file HTTP/1.1\r\nRange: bytes=1000-200999\r\n\r\n");
  EXPECT_EQ(part.result_int(), 206);
  EXPECT_EQ(part["Content-Range"], "bytes 1000-200999/" + std::to_string(file_content_.size()));
  EXPECT_TRUE(part.body() == file_content_.substr(1000, 200000));
  auto tail = Exchange(s, buf, "GET /file HTTP/1.1\r\nRange: bytes=-10\r\n\r\n");
  EXPECT_EQ(tail.body(), file_content_.substr(file_content_.size() - 10));
  auto bad = Exchange(s, buf, "GET /file HTTP/1.1\r\nRange: bytes=999999999-\r\n\r\n");
  EXPECT_EQ(bad.result_int(), 416);
  EXPECT_EQ(bad["Content-Range"], "bytes */" + std::to_string(file_content_.size()));
}

TEST_F(ServerTest, HeadSendsLengthWithoutBody) {
  StartServer();
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  auto h = Exchange(s, buf, "HEAD /hello HTTP/1.1\r\n\r\n", /*head=*/true);
  EXPECT_EQ(h.result_int(), 200);
  EXPECT_EQ(h["Content-Length"], "11");
  auto hf = Exchange(s, buf, "HEAD /file HTTP/1.1\r\nRange: bytes=0-99\r\n\r\n", true);
  EXPECT_EQ(hf.result_int(), 206);
  EXPECT_EQ(hf["Content-Length"], "100");
  auto ha = Exchange(s, buf, "HEAD /announced HTTP/1.1\r\n\r\n", true);
  EXPECT_EQ(ha["Content-Length"], "12345");
  // Had a body been sent, this response would be garbage.
  auto g = Exchange(s, buf, "GET /hello HTTP/1.1\r\n\r\n");
  EXPECT_EQ(g.body(), "hello world");
}

TEST_F(ServerTest, SizedBodiesHaveLengthAndRanges) {
  StartServer();
  tcp::socket s = Connect();
  boost::beast::flat_buffer buf;
  auto full = Exchange(s, buf, "GET /sized HTTP/1.1\r\n\r\n");
  EXPECT_EQ(full.result_int(), 200);
  EXPECT_EQ(full["Content-Length"], std::to_string(file_content_.size()));
  EXPECT_EQ(full["Transfer-Encoding"], "");
  EXPECT_TRUE(full.body() == file_content_);
  auto part = Exchange(s, buf, "GET /sized HTTP/1.1\r\nRange: bytes=1000-200999\r\n\r\n");
  EXPECT_EQ(part.result_int(), 206);
  EXPECT_TRUE(part.body() == file_content_.substr(1000, 200000));
  auto head = Exchange(s, buf, "HEAD /sized HTTP/1.1\r\nRange: bytes=-10\r\n\r\n", true);
  EXPECT_EQ(head["Content-Length"], "10");
  auto bad = Exchange(s, buf, "GET /sized HTTP/1.1\r\nRange: bytes=999999999-\r\n\r\n");
  EXPECT_EQ(bad.result_int(), 416);
  // The same connection still works after all of these.
  auto again = Exchange(s, buf, "GET /hello HTTP/1.1\r\n\r\n");
  EXPECT_EQ(again.body(), "hello world");
}

TEST_F(ServerTest, SizedBodyThatEndsEarlyClosesTheConnection) {
  StartServer();
  tcp::socket s = Connect();
  std::string req = "GET /sized?short=1 HTTP/1.1\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(req));
  // The announced length cannot be met: the client must see a cut body, never a shorter "full" one.
  std::string got;
  boost::system::error_code ec;
  std::array<char, 65536> piece{};
  while (!ec) {
    size_t n = s.read_some(boost::asio::buffer(piece), ec);
    got.append(piece.data(), n);
  }
  size_t body = got.size() - got.find("\r\n\r\n") - 4;
  EXPECT_EQ(body, file_content_.size() - 10);
}

TEST_F(ServerTest, StreamResponseIsChunked) {
  StartServer();
  auto r = Once("GET /stream HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r["Transfer-Encoding"], "chunked");
  EXPECT_EQ(r.body(), "chunk2;chunk1;chunk0;");
}

}  // namespace
}  // namespace spacehub::http::server_test
