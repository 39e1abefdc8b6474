// SseParser: events split across chunks at every byte, CRLF, comments, multi-line data, stop.
#include "client/sse.h"

#include <gtest/gtest.h>

#include <vector>

namespace spacehub::client::detail {
namespace {

std::vector<std::string> ParseInChunks(const std::string& body, size_t chunk) {
  SseParser p;
  std::vector<std::string> out;
  auto on = [&](const std::string& d) {
    out.push_back(d);
    return true;
  };
  for (size_t i = 0; i < body.size(); i += chunk)
    p.Feed(std::string_view(body).substr(i, chunk), on);
  p.Finish(on);
  return out;
}

TEST(SseTest, EventsWhateverTheChunking) {
  const std::string body =
      ": keep-alive\n\ndata: {\"data\":\"a\\n\"}\n\ndata: one\ndata: two\n\r\n"
      "event: log\r\ndata:no-space\r\n\r\ndata: tail";
  for (size_t chunk : {1, 2, 3, 7, 1000}) {
    auto events = ParseInChunks(body, chunk);
    ASSERT_EQ(events.size(), 4u) << chunk;
    EXPECT_EQ(events[0], "{\"data\":\"a\\n\"}");
    EXPECT_EQ(events[1], "one\ntwo");
    EXPECT_EQ(events[2], "no-space");
    EXPECT_EQ(events[3], "tail");
  }
}

TEST(SseTest, StopsWhenAsked) {
  SseParser p;
  int seen = 0;
  bool more =
      p.Feed("data: 1\n\ndata: 2\n\ndata: 3\n\n", [&](const std::string&) { return ++seen < 2; });
  EXPECT_FALSE(more);
  EXPECT_EQ(seen, 2);
}

TEST(SseTest, LogEvents) {
  auto a = ParseLogEvent(R"({"data":"hello\n","timestamp":"2026-01-01T00:00:00.000Z"})");
  EXPECT_EQ(a.data, "hello\n");
  EXPECT_EQ(a.timestamp, "2026-01-01T00:00:00.000Z");
  auto b = ParseLogEvent("plain text");
  EXPECT_EQ(b.data, "plain text");
  EXPECT_EQ(b.timestamp, "");
}

}  // namespace
}  // namespace spacehub::client::detail
