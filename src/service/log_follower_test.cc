// LogFollower against real files: backlog tail, appended lines, partial lines, a replaced log.
#include "service/log_follower.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/temp_dir.h"

namespace spacehub::service {
namespace {

namespace fs = std::filesystem;

class LogFollowerTest : public testing::TempDirTest {
 protected:
  void Append(const std::string& text) { std::ofstream(path_, std::ios::app) << text; }
  const fs::path path_ = dir_ / "run.log";
};

std::vector<std::string> Texts(const std::vector<SpaceLogLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

TEST_F(LogFollowerTest, BacklogThenFollowsAppendsAndRedacts) {
  LogFollower f(path_, runtime::Redactor({"s3cret"}));
  EXPECT_TRUE(f.Backlog(10).empty());  // no log yet
  Append("1700000000000 one\n1700000000001 two s3cret\nthree\n");
  auto backlog = f.Backlog(2);
  EXPECT_EQ(Texts(backlog), (std::vector<std::string>{"two ***", "three"}));
  EXPECT_EQ(backlog[0].at, 1700000000001);
  EXPECT_FALSE(backlog[1].at.has_value());
  EXPECT_TRUE(f.Poll().empty());
  Append("four");  // not finished yet
  EXPECT_TRUE(f.Poll().empty());
  Append(" and more\nfive\n");
  EXPECT_EQ(Texts(f.Poll()), (std::vector<std::string>{"four and more", "five"}));
}

TEST_F(LogFollowerTest, ReplacedLogIsReadFromItsStart) {
  LogFollower f(path_, runtime::Redactor());
  Append("old build line\n");
  EXPECT_EQ(f.Backlog(10).size(), 1u);
  fs::remove(path_);
  Append("new build\n");
  EXPECT_EQ(Texts(f.Poll()), (std::vector<std::string>{"new build"}));
}

// A log far larger than the bounds: the backlog comes from its end only, Poll catches up in
// bounded steps without losing or reordering a line, and a line without end comes in pieces.
TEST_F(LogFollowerTest, MemoryStaysBoundedWhateverTheLogSize) {
  LogFollower f(path_, runtime::Redactor());
  std::string block;
  for (int i = 0; i < 100000; ++i)
    block += "line " + std::to_string(i) + " " + std::string(80, 'x') + "\n";
  Append(block);  // ~9 MiB: more than the backlog window
  ASSERT_GT(block.size(), 2 * LogFollower::kMaxBacklogBytes);
  auto backlog = f.Backlog(1000000);
  size_t bytes = 0;
  for (const auto& l : backlog) bytes += l.text.size() + 1;
  EXPECT_LE(bytes, LogFollower::kMaxBacklogBytes);
  ASSERT_FALSE(backlog.empty());
  EXPECT_EQ(backlog.back().text, "line 99999 " + std::string(80, 'x'));
  EXPECT_EQ(backlog.front().text.substr(0, 5), "line ");  // a whole line, not the cut one
  EXPECT_EQ(Texts(f.Backlog(3)).size(), 0u);              // nothing new since

  // Appended faster than one Poll reads: several bounded Polls, every line once, in order.
  Append(block);
  int next = 0;
  for (int polls = 0; polls < 100 && next < 100000; ++polls) {
    auto got = f.Poll();
    size_t poll_bytes = 0;
    for (const auto& l : got) {
      poll_bytes += l.text.size() + 1;
      ASSERT_EQ(l.text, "line " + std::to_string(next) + " " + std::string(80, 'x'));
      ++next;
    }
    // What one Poll reads, plus the line an earlier one left unfinished.
    EXPECT_LE(poll_bytes, LogFollower::kMaxPollBytes + LogFollower::kMaxLineBytes);
  }
  EXPECT_EQ(next, 100000);

  // One endless line: pieces of kMaxLineBytes, the unfinished rest kept for later.
  Append(std::string(3 * LogFollower::kMaxLineBytes + 10, 'y'));
  auto pieces = f.Poll();
  ASSERT_EQ(pieces.size(), 3u);
  for (const auto& p : pieces) EXPECT_EQ(p.text.size(), LogFollower::kMaxLineBytes);
  Append("z\n");
  EXPECT_EQ(Texts(f.Poll()), (std::vector<std::string>{std::string(10, 'y') + "z"}));
}

TEST_F(LogFollowerTest, BacklogWindowStartingAtALineStartKeepsThatLine) {
  LogFollower f(path_, runtime::Redactor());
  // Lines of exactly 1 KiB (with their newline): the window's start falls on a line start.
  const std::string line(1023, 'a');
  std::string all;
  for (uint64_t i = 0; i < LogFollower::kMaxBacklogBytes / 1024 + 10; ++i) all += line + "\n";
  Append(all);
  EXPECT_EQ(f.Backlog(SIZE_MAX).size(), LogFollower::kMaxBacklogBytes / 1024);
}

}  // namespace
}  // namespace spacehub::service
