#include "client/xet_plan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/xet_chunks.h"
#include "client/xet_download.h"
#include "xet/chunker.h"
#include "xet/shard_format.h"

namespace spacehub::client::detail {
namespace {

// n chunks of `len` bytes each, with distinct hashes.
std::vector<FileChunk> Chunks(size_t n, uint32_t len, uint8_t tag = 0) {
  std::vector<FileChunk> out;
  for (size_t i = 0; i < n; ++i) {
    FileChunk c;
    c.hash = xet::ChunkHash(std::string(1, static_cast<char>(tag)) + std::to_string(i));
    c.offset = i * len;
    c.length = len;
    out.push_back(c);
  }
  return out;
}

TEST(XetPlanTest, PacksUpToTheByteAndChunkLimits) {
  struct Case {
    size_t chunks;
    uint32_t len;
    uint64_t max_bytes;
    size_t max_chunks;
    std::vector<size_t> want;  // chunks per xorb
  };
  const Case cases[] = {
      {10, 100, 1000, 100, {10}},     // exactly the byte limit fits
      {11, 100, 1000, 100, {10, 1}},  // one byte past it starts a new xorb
      {9, 100, 10000, 4, {4, 4, 1}},  // the chunk limit
      {8, 100, 10000, 4, {4, 4}},     // exactly the chunk limit
      {1, 100, 50, 8, {1}},           // a chunk bigger than the limit still gets a xorb
      {0, 100, 1000, 8, {}},          // an empty file has no xorb and no term
  };
  for (const auto& c : cases) {
    FilePlan plan = PlanFile(Chunks(c.chunks, c.len), DedupIndex{}, c.max_bytes, c.max_chunks);
    std::vector<size_t> got;
    for (const auto& x : plan.xorbs) got.push_back(x.chunks.size());
    EXPECT_EQ(got, c.want) << c.chunks << " chunks";
    ASSERT_EQ(plan.terms.size(), c.want.size());  // one term per new xorb
    for (size_t i = 0; i < plan.terms.size(); ++i) {
      EXPECT_EQ(plan.terms[i].xorb, plan.xorbs[i].hash);
      EXPECT_EQ(plan.terms[i].chunk_start, 0u);
      EXPECT_EQ(plan.terms[i].chunk_end, c.want[i]);
    }
    EXPECT_EQ(plan.new_bytes, uint64_t{c.chunks} * c.len);
  }
}

// A shard whose xorb holds `chunks` (plain hashes: zero HMAC key).
xet::Shard StoredShard(const xet::XetHash& xorb, const std::vector<FileChunk>& chunks) {
  xet::Shard s;
  xet::CasInfo cas;
  cas.xorb = xorb;
  uint32_t at = 0;
  for (const auto& c : chunks) {
    cas.chunks.push_back({c.hash, at, c.length});
    at += c.length;
  }
  cas.unpacked_bytes = at;
  s.xorbs.push_back(cas);
  return s;
}

TEST(XetPlanTest, DedupHitsBecomeTermsOfTheStoredXorb) {
  std::vector<FileChunk> chunks = Chunks(6, 100);
  xet::XetHash stored = xet::ChunkHash("stored xorb");
  // The stored xorb holds chunks 0..2 of this file; chunks 3..5 are new.
  DedupIndex index;
  index.AddShard(StoredShard(stored, std::vector<FileChunk>(chunks.begin(), chunks.begin() + 3)));
  FilePlan plan = PlanFile(chunks, index);
  ASSERT_EQ(plan.terms.size(), 2u);
  EXPECT_EQ(plan.terms[0].xorb, stored);
  EXPECT_EQ(plan.terms[0].chunk_start, 0u);
  EXPECT_EQ(plan.terms[0].chunk_end, 3u);
  EXPECT_EQ(plan.terms[0].unpacked_bytes, 300u);
  ASSERT_EQ(plan.xorbs.size(), 1u);
  EXPECT_EQ(plan.xorbs[0].chunks, (std::vector<size_t>{3, 4, 5}));
  EXPECT_EQ(plan.new_bytes, 300u);
}

TEST(XetPlanTest, HmacProtectedDedupAnswersAreMatched) {
  std::vector<FileChunk> chunks = Chunks(2, 100);
  xet::XetHash key = xet::ChunkHash("key");
  xet::Shard s = StoredShard(xet::ChunkHash("x"), chunks);
  s.hmac_key = key;
  for (auto& c : s.xorbs[0].chunks) c.hash = xet::Hmac(c.hash, key);
  DedupIndex index;
  index.AddShard(s);
  EXPECT_TRUE(index.Find(chunks[1].hash).has_value());
  EXPECT_FALSE(index.Find(xet::ChunkHash("other")).has_value());
  EXPECT_EQ(PlanFile(chunks, index).new_bytes, 0u);
}

TEST(XetPlanTest, ShardRoundTripsThroughParseShard) {
  std::vector<FileChunk> chunks = Chunks(5, 1000);
  FilePlan plan = PlanFile(chunks, DedupIndex{}, 2500, 100);  // xorbs of 2, 2, 1 chunks
  const std::string sha(64, 'a');
  xet::Shard built = BuildUploadShard({{&plan, &chunks, sha}});
  auto parsed = xet::ParseShard(xet::SerializeShard(built));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->files.size(), 1u);
  EXPECT_EQ(parsed->files[0].file_hash, plan.file_hash);
  ASSERT_TRUE(parsed->files[0].sha256.has_value());
  EXPECT_EQ(parsed->files[0].sha256->ToHex(), sha);
  ASSERT_EQ(parsed->files[0].terms.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(parsed->files[0].terms[i].xorb, plan.xorbs[i].hash);
    EXPECT_TRUE(parsed->files[0].terms[i].verification.has_value());
  }
  ASSERT_EQ(parsed->xorbs.size(), 3u);
  EXPECT_EQ(parsed->xorbs[1].chunks.size(), 2u);
  EXPECT_EQ(parsed->xorbs[1].chunks[1].byte_start, 1000u);
  EXPECT_EQ(parsed->xorbs[2].unpacked_bytes, 1000u);
}

TEST(XetPlanTest, DedupQueriesTheFirstChunkAndSpacesTheRest) {
  std::vector<FileChunk> chunks = Chunks(3000, 64 * 1024);
  std::vector<size_t> q = DedupQueryChunks(chunks);
  ASSERT_FALSE(q.empty());
  EXPECT_EQ(q[0], 0u);
  for (size_t i = 1; i < q.size(); ++i) {
    EXPECT_EQ(chunks[q[i]].hash.Mod(1024), 0u);
    EXPECT_GE(chunks[q[i]].offset - chunks[q[i - 1]].offset, 4u << 20);
  }
}

TEST(XetPlanTest, FollowDedupFindsEveryStoredXorbOfAChangedFile) {
  // Stored: a file of 40 chunks packed 10 to a xorb. Now chunks 15..16 changed.
  std::vector<FileChunk> old = Chunks(40, 100);
  std::vector<FileChunk> now = old;
  now[15].hash = xet::ChunkHash("changed 15");
  now[16].hash = xet::ChunkHash("changed 16");
  std::vector<xet::Shard> stored;
  for (size_t x = 0; x < 4; ++x) {
    stored.push_back(
        StoredShard(xet::ChunkHash("xorb" + std::to_string(x)),
                    std::vector<FileChunk>(old.begin() + x * 10, old.begin() + x * 10 + 10)));
  }
  // The hub's answer for a chunk: the shard of the xorb holding it.
  DedupIndex index;
  std::vector<size_t> asked;
  auto query = [&](size_t i) {
    asked.push_back(i);
    for (const auto& s : stored) {
      for (const auto& c : s.xorbs[0].chunks) {
        if (c.hash == now[i].hash) index.AddShard(s);
      }
    }
  };
  query(0);  // what the eligible queries found
  FollowDedup(now, index, query, 4);
  EXPECT_EQ(PlanFile(now, index).new_bytes, 200u);  // only the two changed chunks
  // 0, then the starts of the next xorbs (10, 20, 30) and the first changed chunk (15); chunk 16
  // is the second of an unknown run (stride 4) and 17 is known by then.
  EXPECT_EQ(asked, (std::vector<size_t>{0, 10, 15, 20, 30}));
}

TEST(XetChunksTest, ChunkBytesTilesTheDataAsTheChunkerCuts) {
  std::string data;
  for (int i = 0; i < 300000; ++i) data.push_back(static_cast<char>((i * 7919) ^ (i >> 5)));
  std::vector<FileChunk> chunks = ChunkBytes(data);
  std::vector<size_t> lengths = xet::ChunkLengths(data);
  ASSERT_EQ(chunks.size(), lengths.size());
  uint64_t at = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].offset, at);
    EXPECT_EQ(chunks[i].length, lengths[i]);
    EXPECT_EQ(chunks[i].hash, xet::ChunkHash(std::string_view(data).substr(at, lengths[i])));
    at += lengths[i];
  }
  EXPECT_EQ(at, data.size());
  EXPECT_TRUE(ChunkBytes("").empty());
}

TEST(XetDownloadTest, LinkWithRelFindsTheNamedLink) {
  const std::string h =
      "<http://h/api/models/a/b/xet-read-token/c>; rel=\"xet-auth\", "
      "<http://h/cas/v1/reconstructions/f>; rel=\"xet-reconstruction-info\"";
  EXPECT_EQ(LinkWithRel(h, "xet-auth"), "http://h/api/models/a/b/xet-read-token/c");
  EXPECT_EQ(LinkWithRel(h, "xet-reconstruction-info"), "http://h/cas/v1/reconstructions/f");
  EXPECT_EQ(LinkWithRel(h, "next"), "");
  EXPECT_EQ(LinkWithRel("", "xet-auth"), "");
  EXPECT_EQ(LinkWithRel("<unterminated; rel=\"xet-auth\"", "xet-auth"), "");
}

}  // namespace
}  // namespace spacehub::client::detail
