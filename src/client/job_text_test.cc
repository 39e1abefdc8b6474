// `hf jobs` command-line text: timeouts (spec §1.1) and dotenv files (spec §1.5).
#include <gtest/gtest.h>

#include <string>

#include "spacehub/errors.h"
#include "spacehub/jobs.h"

namespace spacehub::client {
namespace {

TEST(JobTextTest, Timeouts) {
  const std::pair<const char*, int64_t> cases[] = {
      {"90", 90},   {"90s", 90},   {"30m", 1800}, {"1.5h", 5400}, {"2d", 172800}, {"0.5m", 30},
      {"1.99s", 1}, {" 5m ", 300}, {"0", 0},      {"1e2", 100},   {"10.0", 10},   {"0.0001h", 0},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(ParseJobTimeout(text), want) << text;
}

TEST(JobTextTest, BadTimeouts) {
  for (const char* text : {"", " ", "m", "-5", "-1h", "+5", "5x", "5 m", "1h30m", "inf", "nan",
                           "5mm", "1e400", "99999999999999999999d", "0x10", "5M"}) {
    EXPECT_THROW(ParseJobTimeout(text), LocalError) << text;
  }
  const std::string huge(100'000, '9');
  try {
    ParseJobTimeout(huge);
    ADD_FAILURE() << "accepted a 100,000-digit timeout";
  } catch (const LocalError& e) {
    EXPECT_LT(std::string(e.what()).size(), 200U);
  }
}

using Pairs = std::vector<std::pair<std::string, std::optional<std::string>>>;

TEST(JobTextTest, Dotenv) {
  Pairs got = ParseDotenv(
      "# comment\n"
      "\n"
      "A=1\n"
      "export B = two words  \n"
      "C=\"quoted # not a comment\\nnext\"  # comment\n"
      "D='single \\n literal'\n"
      "E=value # trailing comment\n"
      "F=a=b=c\n"
      "G=\n"
      "HF_TOKEN\n"
      "H=\"multi\n"
      "line\"\n"
      "I=x#y\r\n"
      "  J.k-1=ok");
  Pairs want = {{"A", "1"},
                {"B", "two words"},
                {"C", "quoted # not a comment\nnext"},
                {"D", "single \\n literal"},
                {"E", "value"},
                {"F", "a=b=c"},
                {"G", ""},
                {"HF_TOKEN", std::nullopt},
                {"H", "multi\nline"},
                {"I", "x#y"},
                {"J.k-1", "ok"}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(ParseDotenv("").empty());
  EXPECT_TRUE(ParseDotenv("\n\n# only comments\n").empty());
}

TEST(JobTextTest, BadDotenv) {
  for (const char* text : {"=1", "1A=x", "A B=1", "A=\"open", "A='open", "A=\"x\" y", "-A=1", "A:1",
                           "A=1\n=2", "\"A\"=1"}) {
    EXPECT_THROW(ParseDotenv(text), LocalError) << text;
  }
  try {
    ParseDotenv("A=1\nB=2\n\nC=\"x\" junk\n");
    ADD_FAILURE();
  } catch (const LocalError& e) {
    EXPECT_NE(std::string(e.what()).find("line 4"), std::string::npos) << e.what();
  }
}

TEST(JobTextTest, TerminalStages) {
  for (const char* stage : {"COMPLETED", "CANCELED", "ERROR", "DELETED"}) {
    EXPECT_TRUE(IsTerminalJobStage(stage)) << stage;
  }
  for (const char* stage : {"SCHEDULING", "RUNNING", "UPDATING", "", "completed"}) {
    EXPECT_FALSE(IsTerminalJobStage(stage)) << stage;
  }
}

}  // namespace
}  // namespace spacehub::client
