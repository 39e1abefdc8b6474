// BG4 grouping against the layout xorb.md describes, and exact LZ4 frame decoding: a frame must
// decode to exactly the stated size and end where its bytes end.
#include "xet/chunk_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace spacehub::xet {
namespace {

TEST(ChunkCodecTest, Bg4GroupsBytesByPositionRemainderToFirstGroups) {
  // Groups of "abcdefghij": a e i | b f j | c g | d h.
  EXPECT_EQ(Bg4Split("abcdefghij"), "aeibfjcgdh");
  EXPECT_EQ(Bg4Split("abcdefgh"), "aebfcgdh");
  EXPECT_EQ(Bg4Split("abc"), "abc");
  EXPECT_EQ(Bg4Split(""), "");
}

TEST(ChunkCodecTest, Bg4RegroupInvertsSplitForEveryRemainder) {
  std::string data;
  for (int n = 0; n < 23; ++n) {
    std::string out = "prefix";
    Bg4Regroup(Bg4Split(data), out);
    EXPECT_EQ(out, "prefix" + data) << n;
    data.push_back(static_cast<char>('A' + n));
  }
}

TEST(ChunkCodecTest, Lz4FrameRoundTripsAndAppends) {
  const std::string data(5000, 'z');
  const std::string frame = Lz4FrameCompress(data);
  EXPECT_LT(frame.size(), data.size());
  Lz4FrameDecoder decoder;
  std::string out = "x";
  ASSERT_TRUE(decoder.DecodeExact(frame, data.size(), out).ok());
  EXPECT_EQ(out, "x" + data);
  // The decoder is reused across frames.
  ASSERT_TRUE(decoder.DecodeExact(frame, data.size(), out).ok());
  EXPECT_EQ(out.size(), 1 + 2 * data.size());
}

TEST(ChunkCodecTest, Lz4FrameRejectsWrongSizeTrailingBytesAndTruncation) {
  const std::string data = "some text, some text, some text, some more text";
  const std::string frame = Lz4FrameCompress(data);
  Lz4FrameDecoder decoder;
  std::string out = "keep";
  EXPECT_FALSE(decoder.DecodeExact(frame, data.size() - 1, out).ok());
  EXPECT_FALSE(decoder.DecodeExact(frame, data.size() + 1, out).ok());
  EXPECT_FALSE(decoder.DecodeExact(frame + "!", data.size(), out).ok());
  EXPECT_FALSE(decoder.DecodeExact(frame + frame, data.size(), out).ok());
  for (size_t cut = 0; cut < frame.size(); ++cut) {
    EXPECT_FALSE(decoder.DecodeExact(frame.substr(0, cut), data.size(), out).ok()) << cut;
  }
  std::string bad_magic = frame;
  bad_magic[0] ^= 1;
  EXPECT_FALSE(decoder.DecodeExact(bad_magic, data.size(), out).ok());
  EXPECT_EQ(out, "keep");  // untouched by every failure
  // And still usable afterwards.
  ASSERT_TRUE(decoder.DecodeExact(frame, data.size(), out).ok());
  EXPECT_EQ(out, "keep" + data);
}

}  // namespace
}  // namespace spacehub::xet
