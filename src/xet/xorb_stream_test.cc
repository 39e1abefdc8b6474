// XorbStreamParser: a xorb fed in pieces of any size (1 byte, around a chunk header's 8, a page,
// random) gets exactly what ParseXorb answers for it whole — the same XorbInfo, or the same error —
// for raw, LZ4 and BG4 chunks, with and without xet-core's footer, and for hostile xorbs; the
// chunk bytes it reports are the xorb without its footer; a cut anywhere but between chunks fails.
#include "xet/xorb_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "xet/byte_reader.h"
#include "xet/chunk_codec.h"
#include "xet/xorb_footer.h"
#include "xet/xorb_test_util.h"

namespace spacehub::xet {
namespace {

using testing::Header;
using testing::Noise;
using testing::Records;

std::string Text(size_t n) {
  std::string s;
  while (s.size() < n) s += "the quick brown fox jumps over the lazy dog; ";
  s.resize(n);
  return s;
}

// xet-core's footers (xorb_footer_test.cc writes them field by field the same way).
std::string FooterV1(const XorbInfo& info) {
  const auto n = static_cast<uint32_t>(info.chunks.size());
  std::string f = "XETBLOB";
  f.push_back('\x01');
  PutHash(f, info.hash);
  const size_t hashes_at = f.size();
  f += "XBLBHSH";
  f.push_back('\x00');
  PutU32(f, n);
  for (const XorbChunk& c : info.chunks) PutHash(f, c.hash);
  const size_t boundaries_at = f.size();
  f += "XBLBBND";
  f.push_back('\x01');
  PutU32(f, n);
  for (const XorbChunk& c : info.chunks)
    PutU32(f, static_cast<uint32_t>(c.offset + c.stored_bytes));
  uint32_t unpacked = 0;
  for (const XorbChunk& c : info.chunks) PutU32(f, unpacked += c.unpacked_bytes);
  PutU32(f, n);
  const size_t end = f.size() + 4 + 4 + 16;
  PutU32(f, static_cast<uint32_t>(end - hashes_at));
  PutU32(f, static_cast<uint32_t>(end - boundaries_at));
  f.append(16, '\x07');
  PutU32(f, static_cast<uint32_t>(f.size()));
  return f;
}

std::string FooterV0(const XorbInfo& info) {
  std::string f = "XETBLOB";
  f.push_back('\x00');
  PutHash(f, info.hash);
  PutU32(f, static_cast<uint32_t>(info.chunks.size()));
  for (const XorbChunk& c : info.chunks)
    PutU32(f, static_cast<uint32_t>(c.offset + c.stored_bytes));
  for (const XorbChunk& c : info.chunks) PutHash(f, c.hash);
  f.append(16, '\0');
  PutU32(f, static_cast<uint32_t>(f.size()));
  return f;
}

std::string WithFooter(const std::string& chunks, std::string (*footer)(const XorbInfo&)) {
  auto info = ParseXorb(chunks);
  EXPECT_TRUE(info.ok()) << info.status().message();
  return info.ok() ? chunks + footer(*info) : chunks;
}

// What feeding `xorb` in the pieces `next_size` chooses gives, and the chunk bytes reported.
struct Streamed {
  Result<XorbInfo> result = Status::Internal("unset");
  uint64_t chunk_bytes = 0;
  bool prefix = true;  // once a piece had footer bytes, no later piece had chunk bytes
};

Streamed Stream(std::string_view xorb, const std::function<size_t()>& next_size) {
  Streamed out;
  XorbStreamParser parser;
  bool footer_seen = false;
  while (!xorb.empty()) {
    const std::string_view piece = xorb.substr(0, std::max<size_t>(1, next_size()));
    xorb.remove_prefix(piece.size());
    Result<size_t> chunk_bytes = parser.Feed(piece);
    if (!chunk_bytes.ok()) {
      out.result = chunk_bytes.status();
      // The parser stays failed.
      EXPECT_FALSE(parser.Feed("x").ok());
      EXPECT_FALSE(parser.Finish().ok());
      return out;
    }
    EXPECT_LE(*chunk_bytes, piece.size());
    if (footer_seen && *chunk_bytes > 0) out.prefix = false;
    if (*chunk_bytes < piece.size()) footer_seen = true;
    out.chunk_bytes += *chunk_bytes;
  }
  out.result = parser.Finish();
  EXPECT_FALSE(parser.Finish().ok());  // once
  return out;
}

void ExpectSame(const Result<XorbInfo>& got, const Result<XorbInfo>& want,
                const std::string& what) {
  ASSERT_EQ(got.ok(), want.ok()) << what << ": "
                                 << (got.ok() ? want.status().message() : got.status().message());
  if (!want.ok()) {
    EXPECT_EQ(got.status().code(), want.status().code()) << what;
    EXPECT_EQ(got.status().message(), want.status().message()) << what;
    return;
  }
  EXPECT_EQ(got->hash, want->hash) << what;
  EXPECT_EQ(got->chunk_bytes, want->chunk_bytes) << what;
  EXPECT_EQ(got->unpacked_bytes, want->unpacked_bytes) << what;
  ASSERT_EQ(got->chunks.size(), want->chunks.size()) << what;
  for (size_t i = 0; i < want->chunks.size(); ++i) {
    const XorbChunk& g = got->chunks[i];
    const XorbChunk& w = want->chunks[i];
    EXPECT_EQ(g.hash, w.hash) << what << " chunk " << i;
    EXPECT_EQ(g.offset, w.offset) << what << " chunk " << i;
    EXPECT_EQ(g.stored_bytes, w.stored_bytes) << what << " chunk " << i;
    EXPECT_EQ(g.unpacked_bytes, w.unpacked_bytes) << what << " chunk " << i;
    EXPECT_EQ(g.scheme, w.scheme) << what << " chunk " << i;
  }
}

// Every split of `xorb` gives ParseXorb's answer.
void ExpectSplitsAgree(const std::string& name, const std::string& xorb) {
  const Result<XorbInfo> want = ParseXorb(xorb);
  std::vector<std::pair<std::string, std::function<size_t()>>> splits;
  for (size_t n : {1, 7, 8, 9, 4096, 256 * 1024}) {
    splits.emplace_back("pieces of " + std::to_string(n), [n] { return n; });
  }
  for (uint32_t seed : {1u, 2u, 3u}) {
    auto rng = std::make_shared<std::mt19937>(seed);
    splits.emplace_back("random " + std::to_string(seed), [rng] {
      // Mostly small pieces (splitting headers and chunks), sometimes large.
      return (*rng)() % 4 == 0 ? (*rng)() % 300000 : (*rng)() % 40;
    });
  }
  for (const auto& [how, next] : splits) {
    std::string what = name;
    what += ", " + how;
    Streamed got = Stream(xorb, next);
    ExpectSame(got.result, want, what);
    EXPECT_TRUE(got.prefix) << what;
    if (want.ok()) {
      EXPECT_EQ(got.chunk_bytes, want->chunk_bytes) << what;
    }
  }
}

std::vector<std::pair<std::string, std::string>> GoodXorbs() {
  const std::vector<std::string> mixed = {
      Text(4000),           Records(4096, 1), Noise(777, 2), "x", Noise(kMaxChunkBytes, 3),
      Text(kMaxChunkBytes), Records(65536, 4)};
  const std::vector<std::string_view> views(mixed.begin(), mixed.end());
  const std::string compressed = BuildXorb(views, true);
  const std::string raw = BuildXorb(views, false);
  std::string small;  // many tiny chunks, a header's worth of data each
  for (int i = 0; i < 200; ++i) small += Header(8, 0, 8) + Noise(8, 100 + i);
  return {
      {"compressed", compressed},
      {"raw", raw},
      {"tiny chunks", small},
      {"one byte", Header(1, 0, 1) + "z"},
      {"compressed + footer v1", WithFooter(compressed, FooterV1)},
      {"compressed + footer v0", WithFooter(compressed, FooterV0)},
      {"raw + footer v1", WithFooter(raw, FooterV1)},
      {"tiny chunks + footer v1", WithFooter(small, FooterV1)},
  };
}

TEST(XorbStreamTest, EverySplitOfAGoodXorbGivesParseXorbsAnswer) {
  for (const auto& [name, xorb] : GoodXorbs()) {
    ASSERT_TRUE(ParseXorb(xorb).ok()) << name;
    ExpectSplitsAgree(name, xorb);
  }
}

TEST(XorbStreamTest, ReportsTheChunkBytesOfEachPiece) {
  const std::string chunks = BuildXorb({Text(3000), Noise(100, 1)}, true);
  const std::string xorb = WithFooter(chunks, FooterV1);
  const std::string_view view = xorb;
  XorbStreamParser parser;
  // A piece ending inside the chunks, one across the footer's start, one inside the footer.
  const size_t first = chunks.size() - 5;
  EXPECT_EQ(*parser.Feed(view.substr(0, first)), first);
  EXPECT_EQ(*parser.Feed(view.substr(first, 15)), 5u);
  EXPECT_EQ(*parser.Feed(view.substr(first + 15)), 0u);
  auto info = parser.Finish();
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->chunk_bytes, chunks.size());
  EXPECT_EQ(parser.bytes_fed(), xorb.size());
}

TEST(XorbStreamTest, EverySplitOfAHostileXorbGivesParseXorbsError) {
  const std::string data = "0123456789";
  const std::string text = Text(3000);
  const std::string frame = Lz4FrameCompress(text);
  const auto size = static_cast<uint32_t>(frame.size());
  std::string bad_magic = frame;
  bad_magic[1] ^= 0x10;
  const std::string good = BuildXorb({Text(5000), Noise(3000, 9), Records(2000, 3)}, true);
  const std::string footer = WithFooter(good, FooterV1).substr(good.size());
  std::string lying_footer = footer;
  lying_footer[8] ^= 1;  // the xorb hash
  std::string corrupt = good;
  corrupt[kChunkHeaderBytes + 1] ^= 0x10;  // the first chunk's LZ4 frame magic
  std::string too_many;
  for (size_t i = 0; i <= kMaxXorbChunks; ++i) too_many += Header(1, 0, 1) + "c";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"version 1", Header(10, 0, 10, 1) + data},
      {"scheme 3", Header(10, 3, 10) + data},
      {"unpacked 0", Header(0, 0, 0)},
      {"raw sizes differ", Header(10, 0, 9) + data},
      {"stored past the end", Header(11, 0, 11) + data},
      {"header cut", Header(10, 0, 10).substr(0, 5)},
      {"garbage after chunks", Header(10, 0, 10) + data + "junk"},
      {"X garbage after chunks", Header(10, 0, 10) + data + "Xjunkjunkjunk"},
      {"short X after chunks", Header(10, 0, 10) + data + "XETBL"},
      {"zero bytes after chunks", Header(10, 0, 10) + data + std::string(8, '\0')},
      {"lz4 too short", Header(size, 1, 2999) + frame},
      {"lz4 too long", Header(size, 1, 3001) + frame},
      {"lz4 trailing byte", Header(size + 1, 1, 3000) + frame + "x"},
      {"lz4 bad magic", Header(size, 1, 3000) + bad_magic},
      {"compressed claims no data", Header(0, 1, 3000) + Header(10, 0, 10) + data},
      {"raw bytes labelled lz4", Header(3000, 1, 3000) + text},
      {"raw bytes labelled bg4", Header(3000, 2, 3000) + text},
      {"corrupt compressed chunk", corrupt},
      {"footer only", footer},
      {"lying footer", good + lying_footer},
      {"footer cut", good + footer.substr(0, footer.size() - 1)},
      {"footer too long", good + footer + std::string(64, 'f')},
      {"chunk after footer", good + footer + Header(1, 0, 1) + "c"},
      {"too many chunks", too_many},
  };
  for (const auto& [name, bytes] : cases) {
    auto whole = ParseXorb(bytes);
    ASSERT_FALSE(whole.ok()) << name;
    EXPECT_EQ(whole.status().code(), Code::kInvalidArgument) << name;
    ExpectSplitsAgree(name, bytes);
  }
}

TEST(XorbStreamTest, ACutAnywhereButBetweenChunksFails) {
  const std::string chunks = BuildXorb({Text(300), Records(400, 1), Noise(50, 2)}, true);
  auto info = ParseXorb(chunks);
  ASSERT_TRUE(info.ok());
  std::vector<uint64_t> boundaries;
  for (const XorbChunk& c : info->chunks) boundaries.push_back(c.offset + c.stored_bytes);
  const std::string with_footer = chunks + FooterV1(*info);
  const std::string_view whole = with_footer;
  for (size_t cut = 0; cut < with_footer.size(); ++cut) {
    const std::string_view prefix = whole.substr(0, cut);
    const bool boundary = std::find(boundaries.begin(), boundaries.end(), cut) != boundaries.end();
    for (size_t n : {1, 7, 9}) {
      const bool ok = Stream(prefix, [n] { return n; }).result.ok();
      EXPECT_EQ(ok, boundary) << "cut " << cut << " in pieces of " << n;
    }
  }
}

TEST(XorbStreamTest, RefusesMoreThanTheLimitWhateverTheSplit) {
  XorbStreamParser parser;
  const std::string chunk = Header(kMaxChunkBytes, 0, kMaxChunkBytes) + Noise(kMaxChunkBytes, 5);
  Status st;
  uint64_t fed = 0;
  while (st.ok() && fed <= kMaxXorbBytes) {
    st = parser.Feed(chunk).status();
    fed += chunk.size();
  }
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "xorb: larger than " + std::to_string(kMaxXorbBytes) + " bytes");
  EXPECT_LE(parser.bytes_fed(), kMaxXorbBytes);
  EXPECT_FALSE(parser.Finish().ok());
}

}  // namespace
}  // namespace spacehub::xet
