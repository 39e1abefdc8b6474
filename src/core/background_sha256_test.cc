#include "core/background_sha256.h"

#include <gtest/gtest.h>

namespace spacehub {
namespace {

TEST(BackgroundSha256Test, MatchesTheDirectHash) {
  std::string data;
  for (int i = 0; i < 300000; ++i) data.push_back(static_cast<char>(i * 31 + i / 7));
  BackgroundSha256 bg(/*max_pending_bytes=*/4096);  // small, so Update has to wait for the worker
  for (size_t off = 0; off < data.size(); off += 1000)
    bg.Update(std::string_view(data).substr(off, 1000));
  EXPECT_EQ(bg.FinishHex(), Sha256Hex(data));
}

TEST(BackgroundSha256Test, EmptyAndAbandoned) {
  BackgroundSha256 empty;
  EXPECT_EQ(empty.FinishHex(), Sha256Hex(""));
  BackgroundSha256 abandoned;  // destroyed without FinishHex: the worker must still stop
  abandoned.Update("abc");
}

}  // namespace
}  // namespace spacehub
