// Tests for the Status -> HTTP mapping, Response helpers, FileBody and Range parsing.
#include "http/response.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "http/range.h"
#include "testing/temp_dir.h"

namespace spacehub::http {
namespace {

TEST(HttpStatusForTest, AllCodes) {
  EXPECT_EQ(HttpStatusFor(Code::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(Code::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(Code::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(Code::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(Code::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(Code::kRangeNotSatisfiable), 416);
  EXPECT_EQ(HttpStatusFor(Code::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(Code::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(Code::kInternal), 500);
}

TEST(ResponseErrorTest, HeadersAndBody) {
  Response r = Response::Error(
      Status::EntryNotFound("a.txt").WithResolvedCommit("abc").WithField("url", "http://x/y"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.GetHeader("x-error-code"), "EntryNotFound");
  EXPECT_EQ(r.GetHeader("X-Error-Message"), "Entry not found: a.txt");
  EXPECT_EQ(r.GetHeader("X-Repo-Commit"), "abc");
  EXPECT_EQ(r.GetHeader("Content-Type"), "application/json");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"], "Entry not found: a.txt");
  EXPECT_EQ(body["url"], "http://x/y");
}

TEST(ResponseErrorTest, NoReasonAndSanitizedMessage) {
  Response r = Response::Error(Status::Conflict("line1\r\nSet-Cookie: x" + std::string(5000, 'a')));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.GetHeader("X-Error-Code"), "");
  std::string_view msg = r.GetHeader("X-Error-Message");
  EXPECT_EQ(msg.find('\r'), std::string_view::npos);
  EXPECT_EQ(msg.find('\n'), std::string_view::npos);
  EXPECT_LE(msg.size(), 1000u);
  EXPECT_EQ(msg.substr(0, 5), "line1");
  // The body keeps the full message.
  EXPECT_GT(nlohmann::json::parse(r.body)["error"].get<std::string>().size(), 5000u);
}

TEST(ResponseTest, JsonAndText) {
  Response j = Response::Json({{"a", 1}}, 201);
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.body, R"({"a":1})");
  Response t = Response::Text("hi");
  EXPECT_EQ(t.GetHeader("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(t.body, "hi");
}

TEST(FileBodyTest, OpenAndMissing) {
  spacehub::testing::TempDir tmp("filebody");
  const std::string path = (tmp / "file.bin").string();
  spacehub::testing::WriteFile(path, "hello");
  auto f = FileBody::Open(path);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->length(), 5u);
  EXPECT_GE((*f)->fd(), 0);
  (*f)->Narrow(1, 3);
  EXPECT_EQ((*f)->offset(), 1u);
  EXPECT_EQ((*f)->length(), 3u);
  std::remove(path.c_str());
  auto missing = FileBody::Open(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
}

TEST(ParseRangeTest, Table) {
  using K = ByteRange::Kind;
  struct Case {
    std::string_view header;
    uint64_t total;
    K kind;
    uint64_t first;
    uint64_t length;
  };
  const Case cases[] = {
      {"bytes=0-4", 10, K::kSatisfiable, 0, 5},   {"bytes=2-", 10, K::kSatisfiable, 2, 8},
      {"bytes=-3", 10, K::kSatisfiable, 7, 3},    {"bytes=-30", 10, K::kSatisfiable, 0, 10},
      {"bytes=5-100", 10, K::kSatisfiable, 5, 5}, {"Bytes= 9-9 ", 10, K::kSatisfiable, 9, 1},
      {"bytes=10-", 10, K::kUnsatisfiable, 0, 0}, {"bytes=10-20", 10, K::kUnsatisfiable, 0, 0},
      {"bytes=-0", 10, K::kUnsatisfiable, 0, 0},  {"bytes=0-", 0, K::kUnsatisfiable, 0, 0},
      {"bytes=5-2", 10, K::kIgnore, 0, 0},        {"bytes=0-1,3-4", 10, K::kIgnore, 0, 0},
      {"items=0-1", 10, K::kIgnore, 0, 0},        {"bytes=a-b", 10, K::kIgnore, 0, 0},
      {"bytes=", 10, K::kIgnore, 0, 0},
  };
  for (const Case& c : cases) {
    ByteRange r = ParseRange(c.header, c.total);
    EXPECT_EQ(r.kind, c.kind) << c.header;
    if (c.kind == K::kSatisfiable) {
      EXPECT_EQ(r.first, c.first) << c.header;
      EXPECT_EQ(r.length, c.length) << c.header;
    }
  }
}

}  // namespace
}  // namespace spacehub::http
