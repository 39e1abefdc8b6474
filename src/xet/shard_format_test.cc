// Shards: SerializeShard -> ParseShard round trips; shards written byte by byte the way the JS
// client's createShard (uploadShards.ts) and xet-core (lookup tables) write them parse; what the
// JS client's shard parser reads from ours is where it looks; every malformed shard is rejected,
// whatever byte it is cut at.
#include "xet/shard_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "xet/byte_reader.h"

namespace spacehub::xet {
namespace {

const std::string kTag(
    "HFRepoMetaData\x00\x55\x69\x67\x45\x6a\x7b\x81\x57\x83\xa5\xbd\xd9\x5c\xcd\xd1\x4a\xa9", 32);

XetHash H(uint8_t seed) {
  XetHash h;
  for (size_t i = 0; i < h.bytes.size(); ++i) h.bytes[i] = static_cast<uint8_t>(seed + i);
  return h;
}

// One file of two terms and one xorb of three chunks, as the JS client records them.
struct JsFile {
  XetHash hash = H(1);
  std::vector<FileTerm> terms = {{H(2), 300, 0, 2, H(3)}, {H(4), 50, 1, 3, H(5)}};
  std::optional<XetHash> sha256 = H(6);
};
struct JsXorb {
  XetHash hash = H(2);
  std::vector<CasChunk> chunks = {{H(7), 0, 100}, {H(8), 100, 200}, {H(9), 300, 50}};
  uint32_t stored = 290;
};

std::string Bookend() { return std::string(32, '\xff') + std::string(16, '\0'); }

std::string FileSection(const JsFile& f, uint32_t flags) {
  std::string s;
  PutHash(s, f.hash);
  PutU32(s, flags);
  PutU32(s, static_cast<uint32_t>(f.terms.size()));
  s.append(8, '\0');
  for (const FileTerm& t : f.terms) {
    PutHash(s, t.xorb);
    PutU32(s, 0);
    PutU32(s, t.unpacked_bytes);
    PutU32(s, t.chunk_start);
    PutU32(s, t.chunk_end);
  }
  if ((flags & 0x80000000u) != 0) {
    for (const FileTerm& t : f.terms) {
      PutHash(s, *t.verification);
      s.append(16, '\0');
    }
  }
  if ((flags & 0x40000000u) != 0) {
    PutHash(s, *f.sha256);
    s.append(16, '\0');
  }
  return s;
}

std::string XorbSection(const JsXorb& x) {
  std::string s;
  PutHash(s, x.hash);
  PutU32(s, 0);
  PutU32(s, static_cast<uint32_t>(x.chunks.size()));
  uint32_t unpacked = 0;
  for (const CasChunk& c : x.chunks) unpacked += c.unpacked_bytes;
  PutU32(s, unpacked);
  PutU32(s, x.stored);
  for (const CasChunk& c : x.chunks) {
    PutHash(s, c.hash);
    PutU32(s, c.byte_start);
    PutU32(s, c.unpacked_bytes);
    s.append(8, '\0');
  }
  return s;
}

// uploadShards.ts createShard: header (footer size 200), files, bookend, xorbs, bookend, footer
// with zeros where xet-core keeps its lookup tables, the creation time and the three totals.
std::string JsShard(const std::string& files, const std::string& xorbs, bool footer = true) {
  std::string s = kTag;
  PutU64(s, 2);
  PutU64(s, footer ? 200 : 0);
  s += files + Bookend();
  const uint64_t xorb_info_offset = s.size();
  s += xorbs + Bookend();
  if (!footer) return s;
  const uint64_t footer_offset = s.size();
  PutU64(s, 1);
  PutU64(s, 48);
  PutU64(s, xorb_info_offset);
  s.append(48, '\0');
  s.append(32, '\0');  // hmac key
  PutU64(s, 1764000000);
  PutU64(s, 0);
  s.append(48, '\0');
  PutU64(s, 290);
  PutU64(s, 0);
  PutU64(s, 350);
  PutU64(s, footer_offset);
  return s;
}

const std::string kFiles = FileSection(JsFile{}, 0xC0000000u);
const std::string kXorbs = XorbSection(JsXorb{});

TEST(ShardFormatTest, ParsesTheJsClientsLayoutWithAndWithoutFooter) {
  for (bool footer : {true, false}) {
    auto shard = ParseShard(JsShard(kFiles, kXorbs, footer));
    ASSERT_TRUE(shard.ok()) << shard.status().message();
    ASSERT_EQ(shard->files.size(), 1u);
    const FileInfo& f = shard->files[0];
    EXPECT_EQ(f.file_hash, H(1));
    EXPECT_EQ(f.sha256, H(6));
    ASSERT_EQ(f.terms.size(), 2u);
    EXPECT_EQ(f.terms[1].xorb, H(4));
    EXPECT_EQ(f.terms[1].unpacked_bytes, 50u);
    EXPECT_EQ(f.terms[1].chunk_start, 1u);
    EXPECT_EQ(f.terms[1].chunk_end, 3u);
    EXPECT_EQ(f.terms[1].verification, H(5));
    ASSERT_EQ(shard->xorbs.size(), 1u);
    const CasInfo& x = shard->xorbs[0];
    EXPECT_EQ(x.xorb, H(2));
    EXPECT_EQ(x.unpacked_bytes, 350u);
    EXPECT_EQ(x.stored_bytes, 290u);
    ASSERT_EQ(x.chunks.size(), 3u);
    EXPECT_EQ(x.chunks[2].hash, H(9));
    EXPECT_EQ(x.chunks[2].byte_start, 300u);
    EXPECT_EQ(x.chunks[2].unpacked_bytes, 50u);
    EXPECT_TRUE(shard->hmac_key.IsZero());
    EXPECT_EQ(shard->creation_time, footer ? 1764000000u : 0u);
  }
  // Without verification and metadata, and with no files at all (a dedup answer).
  EXPECT_TRUE(ParseShard(JsShard(FileSection(JsFile{}, 0), kXorbs)).ok());
  EXPECT_TRUE(ParseShard(JsShard("", kXorbs)).ok());
  EXPECT_TRUE(ParseShard(JsShard("", "")).ok());
}

TEST(ShardFormatTest, SerializeThenParseRoundTrips) {
  Shard in;
  JsFile a;
  JsFile b;
  b.hash = H(40);
  b.sha256.reset();
  in.files = {{a.hash, a.terms, a.sha256}, {b.hash, b.terms, b.sha256}};
  JsXorb x;
  in.xorbs = {{x.hash, 350, x.stored, x.chunks}, {H(50), 100, 108, {{H(51), 0, 100}}}};
  in.hmac_key = H(60);
  in.creation_time = 1700000000;
  in.key_expiry = 1800000000;
  const std::string bytes = SerializeShard(in);
  auto out = ParseShard(bytes);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->files.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(out->files[i].file_hash, in.files[i].file_hash);
    EXPECT_EQ(out->files[i].sha256, in.files[i].sha256);
    ASSERT_EQ(out->files[i].terms.size(), 2u);
    for (size_t t = 0; t < 2; ++t) {
      const FileTerm& want = in.files[i].terms[t];
      const FileTerm& got = out->files[i].terms[t];
      EXPECT_EQ(
          std::tie(got.xorb, got.unpacked_bytes, got.chunk_start, got.chunk_end, got.verification),
          std::tie(want.xorb, want.unpacked_bytes, want.chunk_start, want.chunk_end,
                   want.verification));
    }
  }
  ASSERT_EQ(out->xorbs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(out->xorbs[i].xorb, in.xorbs[i].xorb);
    EXPECT_EQ(out->xorbs[i].unpacked_bytes, in.xorbs[i].unpacked_bytes);
    EXPECT_EQ(out->xorbs[i].stored_bytes, in.xorbs[i].stored_bytes);
    ASSERT_EQ(out->xorbs[i].chunks.size(), in.xorbs[i].chunks.size());
    for (size_t c = 0; c < in.xorbs[i].chunks.size(); ++c) {
      EXPECT_EQ(out->xorbs[i].chunks[c].hash, in.xorbs[i].chunks[c].hash);
      EXPECT_EQ(out->xorbs[i].chunks[c].byte_start, in.xorbs[i].chunks[c].byte_start);
      EXPECT_EQ(out->xorbs[i].chunks[c].unpacked_bytes, in.xorbs[i].chunks[c].unpacked_bytes);
    }
  }
  EXPECT_EQ(out->hmac_key, in.hmac_key);
  EXPECT_EQ(out->creation_time, in.creation_time);
  EXPECT_EQ(out->key_expiry, in.key_expiry);
  // Files without verification round trip too (and an empty shard).
  for (FileInfo& f : in.files) {
    for (FileTerm& t : f.terms) t.verification.reset();
  }
  auto plain = ParseShard(SerializeShard(in));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->files[0].terms[0].verification.has_value());
  EXPECT_TRUE(ParseShard(SerializeShard(Shard{})).ok());
}

// shardParser.ts reads the footer at the end (its header names its size), the CAS section from
// footer+16 while below the "file lookup" offset at footer+24, and the HMAC key at footer+72.
TEST(ShardFormatTest, SerializedFooterIsWhereTheJsParserLooks) {
  Shard in;
  in.xorbs = {{H(50), 100, 108, {{H(51), 0, 100}}}};
  in.hmac_key = H(60);
  const std::string bytes = SerializeShard(in);
  ByteReader header(bytes, 40);
  uint64_t footer_size = 0;
  ASSERT_TRUE(header.U64(&footer_size));
  ASSERT_EQ(footer_size, 200u);
  const size_t footer = bytes.size() - 200;
  ByteReader r(bytes, footer);
  uint64_t version = 0;
  uint64_t file_info = 0;
  uint64_t cas_info = 0;
  uint64_t file_lookup = 0;
  ASSERT_TRUE(r.U64(&version) && r.U64(&file_info) && r.U64(&cas_info) && r.U64(&file_lookup));
  EXPECT_EQ(version, 1u);
  EXPECT_EQ(file_info, 48u);
  EXPECT_EQ(cas_info, 96u);  // header + file bookend
  EXPECT_EQ(file_lookup, footer);
  XetHash first;
  ASSERT_TRUE(ByteReader(bytes, cas_info).Hash(&first));
  EXPECT_EQ(first, H(50));
  XetHash key;
  ASSERT_TRUE(ByteReader(bytes, footer + 72).Hash(&key));
  EXPECT_EQ(key, H(60));
  ByteReader end(bytes, footer + 192);
  uint64_t footer_offset = 0;
  ASSERT_TRUE(end.U64(&footer_offset));
  EXPECT_EQ(footer_offset, footer);
}

// xet-core puts lookup tables between the CAS bookend and the footer and says where in the footer.
std::string XetCoreShard(uint64_t files, uint64_t xorbs, uint64_t chunks, int64_t skew = 0) {
  std::string s = JsShard(kFiles, kXorbs);
  const size_t footer = s.size() - 200;
  std::string tail = s.substr(footer);
  s.resize(footer);
  const uint64_t file_at = s.size();
  const uint64_t xorb_at = file_at + 12 * files;
  const uint64_t chunk_at = xorb_at + 12 * xorbs;
  s.append(12 * files + 12 * xorbs + 16 * chunks, '\x5a');
  std::string fields;
  for (uint64_t v :
       {file_at, files, xorb_at, xorbs, chunk_at, static_cast<uint64_t>(chunks + skew)}) {
    PutU64(fields, v);
  }
  tail.replace(24, 48, fields);
  std::string offset;
  PutU64(offset, s.size());
  tail.replace(192, 8, offset);
  return s + tail;
}

TEST(ShardFormatTest, AcceptsXetCoreLookupTablesOnlyWhenTheFooterDescribesThem) {
  EXPECT_TRUE(ParseShard(XetCoreShard(1, 1, 3)).ok());
  EXPECT_TRUE(ParseShard(XetCoreShard(0, 0, 0)).ok());
  EXPECT_FALSE(ParseShard(XetCoreShard(1, 1, 3, 1)).ok());
  EXPECT_FALSE(ParseShard(XetCoreShard(1, 1, 3, -1)).ok());
  EXPECT_FALSE(ParseShard(XetCoreShard(1, 1, 3, int64_t{1} << 62)).ok());
}

std::string WithU32At(std::string s, size_t at, uint32_t v) {
  std::string le;
  PutU32(le, v);
  return s.replace(at, 4, le);
}

TEST(ShardFormatTest, RejectsMalformedShards) {
  const std::string good = JsShard(kFiles, kXorbs);
  ASSERT_TRUE(ParseShard(good).ok());
  std::string bad_tag = good;
  bad_tag[3] ^= 1;
  std::string bad_version = good;
  bad_version[32] = 3;
  std::string bad_footer_size = good;
  bad_footer_size[40] = 100;
  std::string bad_footer_version = good;
  bad_footer_version[good.size() - 200] = 2;
  std::string bad_footer_offset = good;
  bad_footer_offset[good.size() - 8] ^= 1;
  std::string bad_cas_offset = good;
  bad_cas_offset[good.size() - 200 + 16] ^= 8;
  JsFile empty_range;
  empty_range.terms[1].chunk_end = empty_range.terms[1].chunk_start;
  JsFile backwards;
  backwards.terms[0].chunk_start = 5;
  JsFile no_terms;
  no_terms.terms.clear();
  JsXorb gap;
  gap.chunks[1].byte_start = 101;
  JsXorb no_chunks;
  no_chunks.chunks.clear();
  const std::string mixed = FileSection(JsFile{}, 0x80000000u) + FileSection(JsFile{}, 0);
  const std::string mixed2 = FileSection(JsFile{}, 0) + FileSection(JsFile{}, 0xC0000000u);
  const size_t count_at = 48 + 36;  // the first file's num_entries
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"bad tag", bad_tag},
      {"version 3", bad_version},
      {"footer size 100", bad_footer_size},
      {"footer version 2", bad_footer_version},
      {"footer offset", bad_footer_offset},
      {"cas offset", bad_cas_offset},
      {"trailing bytes, no footer", JsShard(kFiles, kXorbs, false) + "x"},
      {"trailing bytes before footer",
       good.substr(0, good.size() - 200) + std::string(12, '\0') + good.substr(good.size() - 200)},
      {"mixed verification", JsShard(mixed, kXorbs)},
      {"mixed verification, other order", JsShard(mixed2, kXorbs)},
      {"empty chunk range", JsShard(FileSection(empty_range, 0xC0000000u), kXorbs)},
      {"backwards chunk range", JsShard(FileSection(backwards, 0xC0000000u), kXorbs)},
      {"no terms", JsShard(FileSection(no_terms, 0xC0000000u), kXorbs)},
      {"unknown file flag", JsShard(FileSection(JsFile{}, 0xC0000001u), kXorbs)},
      {"chunk offsets with a gap", JsShard(kFiles, XorbSection(gap))},
      {"xorb with no chunks", JsShard(kFiles, XorbSection(no_chunks))},
      {"xorb size differs", WithU32At(JsShard(kFiles, kXorbs), 48 + kFiles.size() + 48 + 40, 351)},
      {"huge term count", WithU32At(good, count_at, 0xffffffffu)},
      {"term count one too many", WithU32At(good, count_at, 3)},
      {"huge chunk count", WithU32At(good, 48 + kFiles.size() + 48 + 36, 0xffffffffu)},
      {"file section without bookend",
       JsShard(kFiles, kXorbs, false).substr(0, 48 + kFiles.size())},
      {"cas section without bookend",
       JsShard(kFiles, kXorbs, false).substr(0, 96 + kFiles.size() + kXorbs.size())},
  };
  for (const auto& [name, bytes] : cases) {
    auto r = ParseShard(bytes);
    EXPECT_FALSE(r.ok()) << name;
  }
}

TEST(ShardFormatTest, EveryTruncationIsAnError) {
  for (const std::string& shard :
       {JsShard(kFiles, kXorbs), JsShard(kFiles, kXorbs, false), SerializeShard(Shard{})}) {
    ASSERT_TRUE(ParseShard(shard).ok());
    for (size_t cut = 0; cut < shard.size(); ++cut) {
      EXPECT_FALSE(ParseShard(shard.substr(0, cut)).ok()) << cut;
    }
  }
}

}  // namespace
}  // namespace spacehub::xet
