// Xorbs: what BuildXorb writes ParseXorb reads back with the hashes computed directly; a xorb the
// JS client's own code wrote (lz4js frames, BG4) parses; and every malformed xorb is rejected with
// an error, never a crash, whatever byte it is cut at.
#include "xet/xorb_format.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "xet/chunk_codec.h"
#include "xet/xorb_test_util.h"

namespace spacehub::xet {
namespace {

using testing::Header;
using testing::Noise;
using testing::Records;

std::string Text(int repeats) {
  std::string s;
  for (int i = 0; i < repeats; ++i) s += "the quick brown fox jumps over the lazy dog; ";
  return s;
}

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

void ExpectDescribes(const XorbInfo& info, const std::vector<std::string>& chunks) {
  ASSERT_EQ(info.chunks.size(), chunks.size());
  std::vector<ChunkRef> refs;
  uint64_t unpacked = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(info.chunks[i].hash, ChunkHash(chunks[i])) << i;
    EXPECT_EQ(info.chunks[i].unpacked_bytes, chunks[i].size()) << i;
    refs.push_back({ChunkHash(chunks[i]), chunks[i].size()});
    unpacked += chunks[i].size();
  }
  EXPECT_EQ(info.hash, XorbHash(refs));
  EXPECT_EQ(info.unpacked_bytes, unpacked);
}

TEST(XorbFormatTest, BuildThenParseGivesTheDirectHashesInEveryScheme) {
  const std::vector<std::string> chunks = {Text(90), Records(4096, 1), Noise(777, 2), "x",
                                           Noise(kMaxChunkBytes, 3)};
  const std::vector<std::string_view> views(chunks.begin(), chunks.end());
  for (bool compress : {true, false}) {
    const std::string xorb = BuildXorb(views, compress);
    auto info = ParseXorb(xorb);
    ASSERT_TRUE(info.ok()) << info.status().message();
    ExpectDescribes(*info, chunks);
    EXPECT_EQ(info->chunk_bytes, xorb.size());
    std::vector<Compression> schemes;
    uint64_t offset = 0;
    for (const XorbChunk& c : info->chunks) {
      EXPECT_EQ(c.offset, offset);
      offset += c.stored_bytes;
      schemes.push_back(c.scheme);
    }
    using C = Compression;
    const std::vector<C> want =
        compress ? std::vector<C>{C::kLz4, C::kByteGrouping4Lz4, C::kNone, C::kNone, C::kNone}
                 : std::vector<C>(5, C::kNone);
    EXPECT_EQ(schemes, want);
    for (size_t i = 0; i < chunks.size(); ++i) {
      const XorbChunk& c = info->chunks[i];
      std::string out;
      ASSERT_TRUE(DecodeChunk(std::string_view(xorb).substr(c.offset, c.stored_bytes), out).ok());
      EXPECT_EQ(out, chunks[i]);
    }
  }
}

// Written by the JS client's writeChunk and lz4js (@huggingface/hub dist): a text chunk in LZ4, a
// records chunk in BG4 + LZ4, a noise chunk raw. The generator below makes the same chunks.
constexpr std::string_view kJsXorbHex =
    "004900000168010004224d184070df3a000000f01074686520717569636b2062726f776e20666f78206a756d707320"
    "6f766572201f00916c617a7920646f673b0e000f2d00ff2050646f673b2000000000008b00000293010004224d1840"
    "70df7c000000ff58cc262a587f8d7d7c1faa2be373e58201375cca9d804813f346397bc7e7bbb63268916aded18da7"
    "f4ceb583f0923db41b958da3689e4b4df0522a014222fcbe534c3cc4b35e0fa15c6280c642a15f756ca81c8a4ffe78"
    "72a7b0e96208aa1784e97fb1c5d61011110200501f220100511f3301004b5033333333330000000000250000002500"
    "00"
    "a376223f56d52e948a54288ff213ddff9cf5f596e043bea748ba57b5b986e23cd27d0ff13f";

std::vector<std::string> JsChunks() {
  const std::string text = Text(8);
  uint32_t x = 7;
  auto next = [&x] {
    x = x * 1103515245u + 12345u;
    return static_cast<char>(x >> 24);
  };
  std::string records(403, '\0');
  for (size_t i = 0; i < records.size(); ++i) {
    records[i] = i % 4 == 0 ? next() : static_cast<char>(i % 4 * 17);
  }
  std::string noise(37, '\0');
  for (char& c : noise) c = next();
  return {text, records, noise};
}

TEST(XorbFormatTest, ParsesAXorbTheJsClientWrote) {
  const std::string xorb = FromHex(kJsXorbHex);
  auto info = ParseXorb(xorb);
  ASSERT_TRUE(info.ok()) << info.status().message();
  ExpectDescribes(*info, JsChunks());
  EXPECT_EQ(info->chunks[0].scheme, Compression::kLz4);
  EXPECT_EQ(info->chunks[1].scheme, Compression::kByteGrouping4Lz4);
  EXPECT_EQ(info->chunks[2].scheme, Compression::kNone);
}

TEST(XorbFormatTest, EveryCutIsAnErrorUnlessItFallsBetweenChunks) {
  const std::string xorb = FromHex(kJsXorbHex);
  auto info = ParseXorb(xorb);
  ASSERT_TRUE(info.ok());
  std::vector<uint64_t> boundaries;
  for (const XorbChunk& c : info->chunks) boundaries.push_back(c.offset + c.stored_bytes);
  for (size_t cut = 0; cut < xorb.size(); ++cut) {
    const bool boundary = std::find(boundaries.begin(), boundaries.end(), cut) != boundaries.end();
    EXPECT_EQ(ParseXorb(xorb.substr(0, cut)).ok(), boundary) << cut;
  }
}

TEST(XorbFormatTest, RejectsMalformedHeaders) {
  const std::string data = "0123456789";
  EXPECT_TRUE(ParseXorb(Header(10, 0, 10) + data).ok());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"version 1", Header(10, 0, 10, 1) + data},
      {"scheme 3", Header(10, 3, 10) + data},
      {"scheme 255", Header(10, 255, 10) + data},
      {"unpacked 0", Header(0, 0, 0)},
      {"unpacked over 128 KiB",
       Header(kMaxChunkBytes + 1, 0, kMaxChunkBytes + 1) + std::string(kMaxChunkBytes + 1, 'a')},
      {"raw sizes differ", Header(10, 0, 9) + data},
      {"stored past the end", Header(11, 0, 11) + data},
      {"header cut", Header(10, 0, 10).substr(0, 5)},
      {"garbage after chunks", Header(10, 0, 10) + data + "junk"},
      {"zero bytes after chunks", Header(10, 0, 10) + data + std::string(8, '\0')},
  };
  for (const auto& [name, bytes] : cases) {
    auto r = ParseXorb(bytes);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << name;
  }
}

TEST(XorbFormatTest, RejectsCorruptOrMissizedLz4) {
  const std::string data(3000, 'q');
  const std::string frame = Lz4FrameCompress(data);
  const auto size = static_cast<uint32_t>(frame.size());
  EXPECT_TRUE(ParseXorb(Header(size, 1, 3000) + frame).ok());
  EXPECT_FALSE(ParseXorb(Header(size, 1, 2999) + frame).ok());
  EXPECT_FALSE(ParseXorb(Header(size, 1, 3001) + frame).ok());
  EXPECT_FALSE(ParseXorb(Header(size + 1, 1, 3000) + frame + "x").ok());
  EXPECT_FALSE(ParseXorb(Header(size - 1, 1, 3000) + frame.substr(0, size - 1)).ok());
  std::string bad_magic = frame;
  bad_magic[1] ^= 0x10;
  EXPECT_FALSE(ParseXorb(Header(size, 1, 3000) + bad_magic).ok());
  std::string bad_descriptor = frame;
  bad_descriptor[4] = 0;  // version bits 00
  EXPECT_FALSE(ParseXorb(Header(size, 1, 3000) + bad_descriptor).ok());
  // Raw bytes labelled LZ4 or BG4.
  EXPECT_FALSE(ParseXorb(Header(3000, 1, 3000) + data).ok());
  EXPECT_FALSE(ParseXorb(Header(3000, 2, 3000) + data).ok());
}

TEST(XorbFormatTest, RejectsOversizedXorbsAndTooManyChunks) {
  std::string big(kMaxXorbBytes + 1, '\0');
  EXPECT_FALSE(ParseXorb(big).ok());
  std::string many;
  for (size_t i = 0; i < kMaxXorbChunks; ++i) many += Header(1, 0, 1) + "c";
  EXPECT_TRUE(ParseXorb(many).ok());
  many += Header(1, 0, 1) + "c";
  EXPECT_FALSE(ParseXorb(many).ok());
}

TEST(XorbFormatTest, DecodeChunkWantsExactlyOneChunk) {
  std::string out = "a";
  EXPECT_TRUE(DecodeChunk(Header(3, 0, 3) + "xyz", out).ok());
  EXPECT_EQ(out, "axyz");
  EXPECT_FALSE(DecodeChunk(Header(3, 0, 3) + "xyzw", out).ok());
  EXPECT_FALSE(DecodeChunk(Header(3, 0, 3) + "xy", out).ok());
  EXPECT_FALSE(DecodeChunk("", out).ok());
  EXPECT_EQ(out, "axyz");
}

}  // namespace
}  // namespace spacehub::xet
