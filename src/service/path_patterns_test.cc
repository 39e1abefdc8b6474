#include "service/path_patterns.h"

#include <gtest/gtest.h>

namespace spacehub::service {
namespace {

TEST(PathPatternsTest, MatchTable) {
  struct Case {
    const char* pattern;
    const char* path;
    bool match;
  } cases[] = {
      {"*.bin", "model.bin", true},
      {"*.bin", "sub/dir/model.bin", true},
      {"*.bin", "model.bin.txt", false},
      {"/top.txt", "top.txt", true},
      {"/top.txt", "a/top.txt", false},
      {"data/*.csv", "data/a.csv", true},
      {"data/*.csv", "data/x/a.csv", false},
      {"saved_model/**/*", "saved_model/a/b/c.pb", true},
      {"saved_model/**/*", "saved_model/c.pb", true},
      {"saved_model/**/*", "other/c.pb", false},
      {"*tfevents*", "runs/events.out.tfevents.123", true},
      {"*.tar.*", "x.tar.gz", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MatchPathPattern(c.pattern, c.path), c.match) << c.pattern << " vs " << c.path;
  }
}

TEST(PathPatternsTest, GitattributesLfsRules) {
  auto p = PathPatterns::LfsFromGitattributes(
      "# comment\n*.bin filter=lfs diff=lfs merge=lfs -text\n*.txt text\n"
      "keep.bin -filter\n");
  EXPECT_TRUE(p.Matches("w.bin"));
  EXPECT_FALSE(p.Matches("notes.txt"));
  EXPECT_FALSE(p.Matches("keep.bin")) << "a later rule unsets the filter";
}

TEST(PathPatternsTest, GitignoreWithNegationAndDirs) {
  auto p = PathPatterns::FromGitignore("*.log\n!keep.log\nbuild/\n__pycache__\n");
  EXPECT_TRUE(p.Matches("a.log"));
  EXPECT_FALSE(p.Matches("keep.log"));
  EXPECT_TRUE(p.Matches("build/out.o"));
  EXPECT_TRUE(p.Matches("pkg/__pycache__/x.pyc"));
  EXPECT_FALSE(p.Matches("src/main.py"));
}

}  // namespace
}  // namespace spacehub::service
