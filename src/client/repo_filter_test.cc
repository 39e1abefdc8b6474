// Tests for FnMatch and RepoPathSelected. The expected values are what Python 3.11's
// fnmatch.fnmatch / huggingface_hub's filter_repo_objects answer for the same inputs (FnMatch was
// also compared with Python on 450,000 random patterns over "[]!-*?^\\/." and letters: no
// difference).
#include "client/repo_filter.h"

#include <gtest/gtest.h>

namespace spacehub::client::detail {
namespace {

TEST(FnMatchTest, AgreesWithPythonFnmatch) {
  struct Case {
    const char* pattern;
    const char* name;
    bool match;
  };
  const Case cases[] = {
      {"*.json", "config.json", true},
      {"data/*.json", "data/sub/file.json", true},  // '*' crosses '/'
      {"*.json", "a.bin", false},
      {"x?y", "x/y", true},  // so does '?'
      {"x?y", "xy", false},
      {"[A-Z]*", "README.md", true},
      {"[A-Z]*", "readme.md", false},
      {"readme.md", "README.md", false},  // case-sensitive
      {"ABC", "abc", false},
      {"[!a]", "b", true},
      {"[!a]", "a", false},
      {"[^a]", "^", true},  // '^' is a member, not a negation (glibc would negate)
      {"[^a]", "a", true},
      {"[^a]", "b", false},
      {"[]]", "]", true},
      {"[]a]", "a", true},
      {"[!]]", "]", false},
      {"[!]]", "x", true},
      {"[", "[", true},  // unclosed: literal
      {"[ab", "[ab", true},
      {"[a", "a", false},
      {"a[b", "a[b", true},
      {"a[!]b", "ab", false},
      {"a[!]b", "a[!]b", true},
      {"[!!]", "!", false},
      {"[!!]", "a", true},
      {"[a-]", "-", true},
      {"[-a]", "-", true},
      {"[a-c]", "b", true},
      {"[a-c]", "d", false},
      {"[a-c-e]", "-", true},
      {"[a-c-e]", "e", true},
      {"[a-c-e]", "d", false},
      {"[c-a]", "b", false},  // reversed range: empty
      {"[c-ax]", "x", true},
      {"[--0]", "-", true},
      {"[--0]", "/", true},
      {"[--0]", "1", false},
      {"[.-*!]", "/", true},    // Python quirk: the reversed range goes, "[!]" is left: any char
      {"[.-*!a]", "a", false},  // ... and here "[!a]", a negation
      {"[.-*!a]", "b", true},
      {"a\\b", "a\\b", true},  // no escapes (glibc without FNM_NOESCAPE would escape)
      {"a\\b", "ab", false},
      {"[\\]", "\\", true},
      {"*", "", true},
      {"?", "", false},
      {"a**c", "abc", true},
      {"*b*", "abc", true},
      {"a*b*c", "aXbXc", true},
      {"a*bd", "abcbd", true},
      {"?.txt", "\xC3\xA9.txt", true},  // '?' is one code point (é), not one byte
      {"\?\?/*", "\xE6\x97\xA5\xE6\x9C\xAC/x.bin", true},
      {"*", ".hidden", true},  // no special leading dot
      {"*.git*", "dir/.git/x", true},
      {"*.[tT][xX][tT]", "a.TXT", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FnMatch(c.name, c.pattern), c.match) << c.pattern << " vs " << c.name;
  }
}

TEST(FnMatchTest, InvalidUtf8MatchesByteForByte) {
  EXPECT_TRUE(
      FnMatch("a\xFF"
              "b",
              "a?b"));
  EXPECT_TRUE(
      FnMatch("a\xFF"
              "b",
              "a\xFF"
              "b"));
  EXPECT_FALSE(
      FnMatch("a\xFF"
              "b",
              "a\xFE"
              "b"));
  EXPECT_TRUE(FnMatch("\xC3", "?"));  // a truncated sequence is one unit
}

TEST(RepoPathSelectedTest, FilterRepoObjects) {
  struct Case {
    const char* path;
    std::vector<std::string> allow, ignore;
    bool selected;
  };
  const Case cases[] = {
      {"a.bin", {}, {}, true},
      {"config.json", {"*.json"}, {}, true},
      {"model.bin", {"*.json"}, {}, false},
      {"model.bin", {"*.json", "*.bin"}, {}, true},
      {"model.bin", {}, {"*.bin"}, false},
      {"config.json", {"*.json"}, {"config.*"}, false},  // the denylist wins
      {"data/x/y.csv", {"data/"}, {}, true},             // a folder: everything under it
      {"data.csv", {"data/"}, {}, false},
      {"logs/run.txt", {}, {"logs/"}, false},
      {"aaa.pdf", {"*.pdf"}, {".*"}, true},
      {".ccc.pdf", {"*.pdf"}, {".*"}, false},
      {"dir/.ccc.pdf", {"*.pdf"}, {".*"}, true},  // ".*" anchors at the path's start
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RepoPathSelected(c.path, c.allow, c.ignore), c.selected) << c.path;
  }
}

}  // namespace
}  // namespace spacehub::client::detail
