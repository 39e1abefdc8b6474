// LogFollower against real files: backlog tail, appended lines, partial lines, a replaced log.
#include "service/log_follower.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace spacehub::service {
namespace {

namespace fs = std::filesystem;

class LogFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("log-follower-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = dir_ / "run.log";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Append(const std::string& text) { std::ofstream(path_, std::ios::app) << text; }
  fs::path dir_, path_;
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

}  // namespace
}  // namespace spacehub::service
