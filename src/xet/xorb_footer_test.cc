// The xet-core xorb footer, written here byte by byte in the layouts of xet-core's
// XorbObjectInfoV1 and V0: accepted when it tells the truth about the chunks, rejected on any lie,
// bad length field or truncation.
#include "xet/xorb_footer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "xet/byte_reader.h"
#include "xet/xorb_format.h"

namespace spacehub::xet {
namespace {

struct Fields {
  XetHash xorb_hash;
  std::vector<XetHash> hashes;
  std::vector<uint32_t> ends;           // chunk end offsets in the xorb
  std::vector<uint32_t> unpacked_ends;  // chunk end offsets in the raw data
};

Fields TruthOf(const XorbInfo& info) {
  Fields f;
  f.xorb_hash = info.hash;
  uint32_t unpacked = 0;
  for (const XorbChunk& c : info.chunks) {
    f.hashes.push_back(c.hash);
    f.ends.push_back(static_cast<uint32_t>(c.offset + c.stored_bytes));
    unpacked += c.unpacked_bytes;
    f.unpacked_ends.push_back(unpacked);
  }
  return f;
}

std::string WithLength(std::string info) {
  PutU32(info, static_cast<uint32_t>(info.size()));
  return info;
}

std::string FooterV1(const Fields& f) {
  const auto n = static_cast<uint32_t>(f.hashes.size());
  std::string info = "XETBLOB";
  info.push_back('\x01');
  PutHash(info, f.xorb_hash);
  const size_t hashes_at = info.size();
  info += "XBLBHSH";
  info.push_back('\x00');
  PutU32(info, n);
  for (const XetHash& h : f.hashes) PutHash(info, h);
  const size_t boundaries_at = info.size();
  info += "XBLBBND";
  info.push_back('\x01');
  PutU32(info, n);
  for (uint32_t e : f.ends) PutU32(info, e);
  for (uint32_t e : f.unpacked_ends) PutU32(info, e);
  PutU32(info, n);
  const size_t end = info.size() + 4 + 4 + 16;
  PutU32(info, static_cast<uint32_t>(end - hashes_at));
  PutU32(info, static_cast<uint32_t>(end - boundaries_at));
  info.append(16, '\x07');  // the uniqueness nonce: any bytes
  return WithLength(info);
}

std::string FooterV0(const Fields& f) {
  std::string info = "XETBLOB";
  info.push_back('\x00');
  PutHash(info, f.xorb_hash);
  PutU32(info, static_cast<uint32_t>(f.hashes.size()));
  for (uint32_t e : f.ends) PutU32(info, e);
  for (const XetHash& h : f.hashes) PutHash(info, h);
  info.append(16, '\0');
  return WithLength(info);
}

class XorbFooterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string a(3000, 'a');
    const std::string b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    chunks_ = BuildXorb({a, b, "c"}, true);
    auto info = ParseXorb(chunks_);
    ASSERT_TRUE(info.ok());
    info_ = *info;
    truth_ = TruthOf(info_);
  }
  std::string chunks_;
  XorbInfo info_;
  Fields truth_;
};

TEST_F(XorbFooterTest, AcceptsTruthfulFootersOfBothVersions) {
  for (const std::string& footer : {FooterV1(truth_), FooterV0(truth_)}) {
    auto parsed = ParseXorb(chunks_ + footer);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(parsed->chunk_bytes, chunks_.size());
    EXPECT_EQ(parsed->hash, info_.hash);
    EXPECT_EQ(parsed->chunks.size(), 3u);
  }
}

TEST_F(XorbFooterTest, RejectsFootersThatLie) {
  std::vector<Fields> lies(5, truth_);
  lies[0].xorb_hash.bytes[0] ^= 1;
  lies[1].hashes[2].bytes[31] ^= 1;
  lies[2].ends[1] += 1;
  lies[3].unpacked_ends[0] -= 1;
  lies[4].hashes.pop_back();
  lies[4].ends.pop_back();
  lies[4].unpacked_ends.pop_back();
  for (size_t i = 0; i < lies.size(); ++i) {
    EXPECT_FALSE(ParseXorb(chunks_ + FooterV1(lies[i])).ok()) << "v1 lie " << i;
    if (i != 3) {  // V0 has no unpacked offsets
      EXPECT_FALSE(ParseXorb(chunks_ + FooterV0(lies[i])).ok()) << "v0 lie " << i;
    }
  }
}

TEST_F(XorbFooterTest, RejectsBadStructure) {
  const std::string good = FooterV1(truth_);
  std::string bad_length = good;
  bad_length[bad_length.size() - 4] ^= 1;
  std::string bad_version = good;
  bad_version[7] = 2;
  std::string bad_section = good;
  bad_section[7 + 1 + 32] = 'Y';  // "XBLBHSH"
  std::string bad_offset = good;
  bad_offset[good.size() - 4 - 16 - 4] ^= 1;  // boundary section offset
  std::string extra = good.substr(0, good.size() - 4) + "!";
  PutU32(extra, static_cast<uint32_t>(extra.size()));
  for (const std::string& footer : {bad_length, bad_version, bad_section, bad_offset, extra}) {
    EXPECT_FALSE(ParseXorb(chunks_ + footer).ok());
  }
  for (size_t cut = 0; cut < good.size(); ++cut) {
    EXPECT_FALSE(ParseXorb(chunks_ + good.substr(0, cut)).ok() && cut != 0) << cut;
  }
  EXPECT_TRUE(CheckXorbFooter(good, info_).ok());
  EXPECT_FALSE(CheckXorbFooter("XETBLOB", info_).ok());
}

}  // namespace
}  // namespace spacehub::xet
