#include "api/xet_shard_stream.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

namespace spacehub::api {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

// What one Read gives: the bytes, or "" at the end, or "not yet".
std::string ReadOnce(ShardCheckStream& s) {
  char buf[4096];
  auto n = s.Read(buf, sizeof buf);
  EXPECT_TRUE(n.ok());
  if (*n == http::BodySource::kNotYet) return "not yet";
  return std::string(buf, *n);
}

std::vector<nlohmann::json> Lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    out.push_back(nlohmann::json::parse(text.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  return out;
}

TEST(ShardCheckStreamTest, ReportsTheCheckAndEndsWithItsResult) {
  ShardCheckStream s(2, [](service::ShardProgress& p) -> Result<int> {
    p.Validating(0, 2);
    p.Validating(1, 2);
    p.Validating(2, 2);
    p.Committing();
    return 1;
  });
  // Before the check runs, the client hears that nothing is checked yet.
  auto first = Lines(ReadOnce(s));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0], (nlohmann::json{{"type", "validating"}, {"verified", 0}, {"total", 2}}));
  EXPECT_EQ(ReadOnce(s), "not yet");
  std::thread(s.TakeBackgroundWork()).join();
  EXPECT_FALSE(s.TakeBackgroundWork());  // taken once
  // Progress not yet sent is replaced by newer progress.
  auto rest = Lines(ReadOnce(s));
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0], (nlohmann::json{{"type", "validating"}, {"verified", 2}, {"total", 2}}));
  EXPECT_EQ(rest[1], (nlohmann::json{{"type", "committing"}, {"stage", "syncing"}}));
  EXPECT_EQ(rest[2], (nlohmann::json{{"type", "result"}}));
  EXPECT_EQ(ReadOnce(s), "");
}

TEST(ShardCheckStreamTest, ErrorsEndTheStreamAndSayWhetherToRetry) {
  for (const auto& [status, retryable] :
       {std::pair{Status::InvalidArgument("bad terms"), false},
        std::pair{Status::Unavailable("swept meanwhile"), true}}) {
    ShardCheckStream s(
        1, [status = status](service::ShardProgress&) -> Result<int> { return status; });
    std::thread(s.TakeBackgroundWork()).join();
    auto frames = Lines(ReadOnce(s));
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[1],
              (nlohmann::json{
                  {"type", "error"}, {"message", status.message()}, {"retryable", retryable}}));
    EXPECT_EQ(ReadOnce(s), "");
  }
}

TEST(ShardCheckStreamTest, ACheckThatThrowsStillEndsTheStream) {
  ShardCheckStream s(
      1, [](service::ShardProgress&) -> Result<int> { throw std::runtime_error("disk on fire"); });
  std::thread(s.TakeBackgroundWork()).join();
  auto frames = Lines(ReadOnce(s));
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1]["type"], "error");
  EXPECT_EQ(frames[1]["message"], "internal error");  // the exception's text stays in the log
  EXPECT_EQ(ReadOnce(s), "");
}

TEST(ShardCheckStreamTest, SilenceIsFilledWithTheLastFrame) {
  ShardCheckStream quiet(
      3, [](service::ShardProgress&) -> Result<int> { return 0; }, 1h);
  ReadOnce(quiet);
  EXPECT_EQ(ReadOnce(quiet), "not yet");
  ShardCheckStream beating(
      3, [](service::ShardProgress&) -> Result<int> { return 0; }, 0ms);
  const std::string first = ReadOnce(beating);
  EXPECT_EQ(ReadOnce(beating), first);
  EXPECT_EQ(ReadOnce(beating), first);
}

TEST(ShardCheckStreamTest, TheCheckLearnsThatItsClientLeft) {
  std::function<void()> work;
  bool wanted_while_read = false;
  bool wanted_after = true;
  {
    ShardCheckStream s(1, [&](service::ShardProgress& p) -> Result<int> {
      wanted_after = p.Wanted();
      return 0;
    });
    work = s.TakeBackgroundWork();
  }
  // The work outlives the source it came from; it runs, and finds no one waiting.
  std::thread(work).join();
  EXPECT_FALSE(wanted_after);
  ShardCheckStream s(1, [&](service::ShardProgress& p) -> Result<int> {
    wanted_while_read = p.Wanted();
    return 0;
  });
  std::thread(s.TakeBackgroundWork()).join();
  EXPECT_TRUE(wanted_while_read);
}

}  // namespace
}  // namespace spacehub::api
