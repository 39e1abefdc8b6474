#include "http/head_length.h"

#include <gtest/gtest.h>

#include <string>

namespace spacehub::http {
namespace {

TEST(HeadLengthTest, FindsTheBlankLine) {
  EXPECT_EQ(HeadLength("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"), 27u);
  EXPECT_EQ(HeadLength("GET / HTTP/1.1\r\nHost: a\r\n"), 0u);
  EXPECT_EQ(HeadLength("GET / HTTP/1.1\nHost: a\n\n"), 24u);  // bare LF: the parser says no
  EXPECT_EQ(HeadLength(""), 0u);
}

TEST(HeadLengthTest, ABlankLineAcrossTwoReads) {
  const std::string whole = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  for (size_t cut = 0; cut <= whole.size(); ++cut) {
    const std::string first = whole.substr(0, cut);
    const size_t early = HeadLength(first);
    if (early != 0) {
      EXPECT_EQ(early, whole.size()) << cut;
      continue;
    }
    EXPECT_EQ(HeadLength(whole, first.size()), whole.size()) << cut;
  }
}

}  // namespace
}  // namespace spacehub::http
