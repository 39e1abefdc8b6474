#include "xet/xet_hash.h"

#include <algorithm>
#include <cstring>

#include "xet/blake3.h"

namespace spacehub::xet {
namespace {

// The keys of the Xet protocol (spec: hashing.md).
constexpr Blake3Key kDataKey = {102, 151, 245, 119, 91,  149, 80,  222, 49,  53,  203,
                                172, 165, 151, 24,  28,  157, 228, 33,  16,  155, 235,
                                43,  88,  180, 208, 176, 75,  147, 173, 242, 41};
constexpr Blake3Key kInternalNodeKey = {1,   126, 197, 199, 165, 71,  41,  150, 253, 148, 102,
                                        102, 180, 138, 2,   230, 93,  221, 83,  111, 55,  199,
                                        109, 210, 248, 99,  82,  230, 74,  83,  113, 63};
constexpr Blake3Key kVerificationKey = {127, 24,  87,  214, 206, 86,  237, 102, 18,  127, 249,
                                        19,  231, 165, 195, 243, 164, 205, 38,  213, 181, 219,
                                        73,  230, 65,  36,  152, 127, 40,  251, 148, 195};

// The aggregated tree's branching: a group ends at a hash that is 0 mod 4 (from its third entry
// on), at 9 entries, or at the end; two or fewer left form one group.
constexpr uint64_t kMeanBranching = 4;
constexpr size_t kMaxGroup = 2 * kMeanBranching + 1;

XetHash FromDigest(const Blake3Digest& digest) {
  XetHash hash;
  hash.bytes = digest;
  return hash;
}

std::string_view AsChars(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

size_t NextGroupEnd(std::span<const ChunkRef> refs) {
  if (refs.size() <= 2) return refs.size();
  const size_t end = std::min(kMaxGroup, refs.size());
  for (size_t i = 2; i < end; ++i) {
    if (refs[i].hash.Mod(kMeanBranching) == 0) return i + 1;
  }
  return end;
}

ChunkRef MergeGroup(std::span<const ChunkRef> group) {
  std::string text;
  text.reserve(group.size() * 88);
  uint64_t total = 0;
  for (const ChunkRef& ref : group) {
    text += ref.hash.ToHex();
    text += " : ";
    text += std::to_string(ref.length);
    text += '\n';
    total += ref.length;
  }
  return {FromDigest(Blake3Keyed(kInternalNodeKey, text)), total};
}

}  // namespace

bool XetHash::IsZero() const {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

std::string XetHash::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(64, '0');
  size_t pos = 0;
  for (size_t word = 0; word < 4; ++word) {
    for (size_t i = 8; i-- > 0;) {
      const uint8_t b = bytes[word * 8 + i];
      out[pos++] = kDigits[b >> 4];
      out[pos++] = kDigits[b & 0xF];
    }
  }
  return out;
}

std::optional<XetHash> XetHash::FromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  XetHash hash;
  for (size_t k = 0; k < 32; ++k) {
    const int hi = HexValue(hex[2 * k]);
    const int lo = HexValue(hex[2 * k + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    // The k-th printed byte is byte (7 - k % 8) of word k / 8.
    hash.bytes[(k / 8) * 8 + (7 - k % 8)] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return hash;
}

uint64_t XetHash::Mod(uint64_t n) const {
  uint64_t word = 0;
  for (size_t i = 8; i-- > 0;) word = (word << 8) | bytes[24 + i];
  return word % n;
}

XetHash ChunkHash(std::string_view data) { return FromDigest(Blake3Keyed(kDataKey, data)); }

ChunkHasher::ChunkHasher() : blake3_(kDataKey) {}

XetHash ChunkHasher::Finish() const { return FromDigest(blake3_.Finalize()); }

XetHash XorbHash(std::span<const ChunkRef> chunks) {
  if (chunks.empty()) return XetHash{};
  std::vector<ChunkRef> level(chunks.begin(), chunks.end());
  while (level.size() > 1) {
    size_t write = 0;
    size_t read = 0;
    while (read < level.size()) {
      const size_t end = read + NextGroupEnd(std::span<const ChunkRef>(level).subspan(read));
      level[write++] = MergeGroup(std::span<const ChunkRef>(level).subspan(read, end - read));
      read = end;
    }
    level.resize(write);
  }
  return level[0].hash;
}

XetHash FileHash(std::span<const ChunkRef> chunks) {
  if (chunks.empty()) return XetHash{};
  return Hmac(XorbHash(chunks), XetHash{});
}

XetHash VerificationHash(std::span<const XetHash> chunk_hashes) {
  Blake3Hasher hasher(kVerificationKey);
  for (const XetHash& hash : chunk_hashes) hasher.Update(AsChars(hash.bytes.data(), 32));
  return FromDigest(hasher.Finalize());
}

XetHash Hmac(const XetHash& hash, const XetHash& key) {
  return FromDigest(Blake3Keyed(key.bytes, AsChars(hash.bytes.data(), hash.bytes.size())));
}

}  // namespace spacehub::xet
