// Tests for reading multipart LFS part URLs.
#include "client/lfs_parts.h"

#include <gtest/gtest.h>

namespace spacehub::client::detail {
namespace {

TEST(LfsPartsTest, NumericOrderPaddedOrNot) {
  auto h = nlohmann::json::parse(
      R"({"chunk_size":"5","00010":"u10","00002":"u2","00001":"u1","3":"u3","x1":"no","4":7})");
  EXPECT_EQ(SortedPartUrls(h), (std::vector<std::string>{"u1", "u2", "u3", "u10"}));
  EXPECT_TRUE(SortedPartUrls(nlohmann::json::object()).empty());
  EXPECT_TRUE(SortedPartUrls(nullptr).empty());
}

}  // namespace
}  // namespace spacehub::client::detail
