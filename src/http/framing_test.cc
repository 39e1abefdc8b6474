// FramingCheck: the heads RFC 9112 §6 lets through, and the ambiguous ones a smuggler would send.
#include "http/framing.h"

#include <gtest/gtest.h>

#include <string_view>
#include <utility>
#include <vector>

namespace spacehub::http {
namespace {

using Fields = std::vector<std::pair<std::string_view, std::string_view>>;

Status Check(const Fields& fields, int minor = 1) {
  FramingCheck c;
  for (const auto& [n, v] : fields) c.Field(n, v);
  return c.Verdict(minor);
}

TEST(FramingCheckTest, AcceptsPlainFraming) {
  EXPECT_TRUE(Check({}).ok());
  EXPECT_TRUE(Check({{"Host", "a"}, {"Content-Length", "0"}}).ok());
  EXPECT_TRUE(Check({{"content-length", " 12345 "}}).ok());
  EXPECT_TRUE(Check({{"Transfer-Encoding", "chunked"}}).ok());
  EXPECT_TRUE(Check({{"transfer-encoding", "Chunked"}}).ok());
  EXPECT_TRUE(Check({{"Content-Length", "5"}}, /*minor=*/0).ok());
}

TEST(FramingCheckTest, RefusesCodingsOtherThanAFinalChunked) {
  for (std::string_view te : {"chunked, gzip", "gzip", "gzip, chunked", "chunked, chunked",
                              "xchunked", "chunked;q=1", "", " , ", "identity"}) {
    Status st = Check({{"Transfer-Encoding", te}});
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << te;
    EXPECT_EQ(st.reason(), "BadRequestFraming") << te;
  }
  // Split over two fields, as one list (RFC 9110 §5.3).
  EXPECT_FALSE(Check({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "gzip"}}).ok());
  EXPECT_FALSE(Check({{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}}).ok());
}

TEST(FramingCheckTest, RefusesAmbiguousLengths) {
  EXPECT_FALSE(Check({{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}}).ok());
  EXPECT_FALSE(Check({{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}}).ok());
  EXPECT_FALSE(Check({{"Content-Length", "5"}, {"Content-Length", "5"}}).ok());
  EXPECT_FALSE(Check({{"Content-Length", "5"}, {"Content-Length", "6"}}).ok());
  for (std::string_view cl : {"5, 5", "+5", "-1", "5x", "", "0x10", "99999999999999999999"}) {
    EXPECT_FALSE(Check({{"Content-Length", cl}}).ok()) << cl;
  }
  EXPECT_FALSE(Check({{"Transfer-Encoding", "chunked"}}, /*minor=*/0).ok());
}

TEST(FramingCheckTest, KnowsTheFramingFields) {
  EXPECT_TRUE(IsFramingField("Content-Length"));
  EXPECT_TRUE(IsFramingField("transfer-encoding"));
  EXPECT_FALSE(IsFramingField("te"));
  EXPECT_FALSE(IsFramingField("content-type"));
}

TEST(FramingCheckTest, FindsFramingFieldsInARawHead) {
  EXPECT_FALSE(HeadHasFramingField("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_FALSE(HeadHasFramingField("GET /content-length: HTTP/1.1\r\nX-Content-Length: 1\r\n\r\n"));
  EXPECT_TRUE(HeadHasFramingField("GET / HTTP/1.1\r\nHost: a\r\ncontent-LENGTH: 0\r\n\r\n"));
  EXPECT_TRUE(
      HeadHasFramingField("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"));
  EXPECT_TRUE(HeadHasFramingField("GET / HTTP/1.1\nTransfer-Encoding: gzip\n\n"));
}

}  // namespace
}  // namespace spacehub::http
