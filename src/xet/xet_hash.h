// XetHash: the 32-byte hashes of the Xet protocol (chunk, xorb, file, verification) and the
// keyed-BLAKE3 functions that make them. The wire spells a hash in hex with each 8-byte word
// byte-reversed (a little-endian u64 printed big-endian); ToHex/FromHex do exactly that, so a hash
// read from a URL and one computed here compare as values.
// Pure functions; every function is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xet/blake3.h"

namespace spacehub::xet {

struct XetHash {
  std::array<uint8_t, 32> bytes{};

  bool operator==(const XetHash&) const = default;
  // An order for maps and sets (byte order; not the numeric order of the hex form).
  bool operator<(const XetHash& other) const { return bytes < other.bytes; }
  bool IsZero() const;
  // The protocol's string form: 64 lowercase hex digits, each 8-byte word byte-reversed.
  std::string ToHex() const;
  // Parses the protocol's string form; nullopt unless exactly 64 hex digits (either case).
  static std::optional<XetHash> FromHex(std::string_view hex);
  // The protocol's "hash % n": the last 8-byte word as a little-endian u64, modulo n.
  uint64_t Mod(uint64_t n) const;
};

// One chunk as the Merkle hashes see it: its hash and its uncompressed length.
struct ChunkRef {
  XetHash hash;
  uint64_t length = 0;
};

// blake3_keyed(DATA_KEY, data).
XetHash ChunkHash(std::string_view data);
// ChunkHash of data that arrives in pieces (a chunk split between a streamed body's reads): the
// same hash without gathering the chunk first. One owner.
class ChunkHasher final {
 public:
  ChunkHasher();
  void Update(std::string_view data) { blake3_.Update(data); }
  XetHash Finish() const;

 private:
  Blake3Hasher blake3_;
};
// The aggregated Merkle root over the chunks (zero hash for none).
XetHash XorbHash(std::span<const ChunkRef> chunks);
// keyed(zero key, XorbHash(chunks)); the zero hash for an empty file.
XetHash FileHash(std::span<const ChunkRef> chunks);
// blake3_keyed(VERIFICATION_KEY, concatenated raw chunk hashes) for one reconstruction term.
XetHash VerificationHash(std::span<const XetHash> chunk_hashes);
// blake3_keyed(key, hash): the dedup shard's protection of chunk hashes.
XetHash Hmac(const XetHash& hash, const XetHash& key);

}  // namespace spacehub::xet
