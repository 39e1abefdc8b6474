// Shards (the "MDB" format): a header, file-info blocks (a file hash and its reconstruction terms,
// each with a verification hash, plus an optional SHA-256), a CAS-info section (xorbs and their
// chunk hashes and offsets), each section closed by a bookend, then an optional 200-byte footer.
// Clients upload one to record files; the hub answers dedup queries with one (CAS info only, chunk
// hashes protected by an HMAC key in the footer). ParseShard bounds every count by the bytes
// actually present before allocating, so a hostile shard cannot make the hub allocate more than
// its own size.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "xet/xet_hash.h"

namespace spacehub::xet {

// One reconstruction term: chunks [chunk_start, chunk_end) of a xorb.
struct FileTerm {
  XetHash xorb;
  uint32_t unpacked_bytes = 0;
  uint32_t chunk_start = 0;
  uint32_t chunk_end = 0;
  std::optional<XetHash> verification;  // range hash, when the shard carries them
};

struct FileInfo {
  XetHash file_hash;
  std::vector<FileTerm> terms;
  std::optional<XetHash> sha256;  // raw 32 bytes of the SHA-256, when present
};

struct CasChunk {
  XetHash hash;
  // Where the chunk starts in the xorb's uncompressed data (the sizes of the chunks before it), as
  // xet-core and the JS client write it.
  uint32_t byte_start = 0;
  uint32_t unpacked_bytes = 0;
};

struct CasInfo {
  XetHash xorb;
  uint32_t unpacked_bytes = 0;
  uint32_t stored_bytes = 0;
  std::vector<CasChunk> chunks;
};

struct Shard {
  std::vector<FileInfo> files;
  std::vector<CasInfo> xorbs;
  XetHash hmac_key;  // zero when chunk hashes are plain (uploads)
  uint64_t creation_time = 0;
  uint64_t key_expiry = 0;
};

// Parses a serialized shard, footer optional (kInvalidArgument with the reason otherwise): magic
// tag and versions, bookends, counts that fit the bytes present, verification entries on every
// file or none, files with at least one term, chunk ranges with start < end, xorbs with at least
// one chunk whose entries tile its uncompressed bytes in order. After the CAS bookend comes
// nothing, or the footer (whose offsets must match the sections), with xet-core's lookup tables
// in between only when the footer describes them exactly.
Result<Shard> ParseShard(std::string_view bytes);

// Serializes a shard with its footer (offsets, hmac key, times, sizes filled in; no lookup
// tables). A file gets verification entries when every one of its terms has one.
std::string SerializeShard(const Shard& shard);

}  // namespace spacehub::xet
