// RotatingLog: an app that prints without end keeps at most two files of about the cap.
#include "runtime/rotating_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "testing/temp_dir.h"

namespace spacehub::runtime {
namespace {
namespace fs = std::filesystem;

class RotatingLogTest : public spacehub::testing::TempDirTest {};

TEST_F(RotatingLogTest, StaysWithinTwiceTheCapAndKeepsTheNewestLines) {
  const fs::path& dir = dir_;
  {
    RotatingLog log(dir / "run.log", 1000);
    for (int i = 0; i < 10000; ++i) log.Append("line " + std::to_string(i));
    log.Append(std::string(5000, 'x'));  // longer than the cap: cut, still written
  }
  EXPECT_LE(fs::file_size(dir / "run.log"), 1000u);
  EXPECT_LE(fs::file_size(dir / "run.log.1"), 1000u);
  EXPECT_FALSE(fs::exists(dir / "run.log.2"));
  std::ifstream in(dir / "run.log.1");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find("line 9999\n"), std::string::npos);
  EXPECT_EQ(fs::status(dir / "run.log").permissions() & fs::perms::others_all, fs::perms::none);
}

TEST_F(RotatingLogTest, DoesNotFollowALinkPlantedAtItsPath) {
  const fs::path& dir = dir_;
  std::ofstream(dir / "victim") << "keep\n";
  fs::create_symlink(dir / "victim", dir / "run.log");
  {
    RotatingLog log(dir / "run.log", 1000);
    log.Append("attack");
  }
  std::ifstream in(dir / "victim");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "keep\n");
}

}  // namespace
}  // namespace spacehub::runtime
