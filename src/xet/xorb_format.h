// Xorbs: the Xet protocol's unit of storage, a series of chunks, each an 8-byte header (version 0,
// compressed size u24, scheme, uncompressed size u24, little-endian) and its data stored raw, as an
// LZ4 frame, or byte-grouped (BG4) then LZ4. xet-core may append a footer ("XETBLOB" ... u32
// length) after the last chunk; the JS client sends none. ParseXorb checks a whole upload before
// anything is stored: every header, every chunk decompresses to exactly its stated size, chunk
// hashes recomputed from the data, and the xorb hash recomputed from those; XorbStreamParser
// (xorb_stream.h) checks one as it arrives, by the same code. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "xet/xet_hash.h"

namespace spacehub::xet {

inline constexpr size_t kChunkHeaderBytes = 8;
// The serialized size limit: 64 MiB of chunk data, plus room for xet-core's chunk headers and
// footer (it caps the raw bytes at 64 MiB and 8192 chunks, so a full xorb of incompressible data
// comes to a little more than 64 MiB).
inline constexpr uint64_t kMaxXorbBytes = 64ull * 1024 * 1024 + 8192ull * (8 + 44) + 4096;
inline constexpr uint32_t kMaxChunkBytes = 128 * 1024;  // uncompressed, per the chunker
// xet-core and the JS client cut a xorb at 8192 chunks; 8x that still bounds what a hostile xorb of
// tiny chunks makes the parser hold (about 100 bytes a chunk) far below the 64 MiB limit.
inline constexpr size_t kMaxXorbChunks = 64 * 1024;

enum class Compression : uint8_t { kNone = 0, kLz4 = 1, kByteGrouping4Lz4 = 2 };

// Where one chunk sits in a serialized xorb.
struct XorbChunk {
  XetHash hash;                 // of the uncompressed data
  uint64_t offset = 0;          // of its header in the xorb
  uint32_t stored_bytes = 0;    // header + data as stored (the next chunk starts here + this)
  uint32_t unpacked_bytes = 0;  // uncompressed length
  Compression scheme = Compression::kNone;
};

struct XorbInfo {
  XetHash hash;  // recomputed from the chunks
  std::vector<XorbChunk> chunks;
  uint64_t chunk_bytes = 0;  // where the chunks end (a footer, if any, follows)
  uint64_t unpacked_bytes = 0;
};

// Validates a whole serialized xorb (kInvalidArgument with the reason otherwise): at least one
// chunk and at most kMaxXorbChunks, at most kMaxXorbBytes, known version and scheme, sizes within
// bounds, data that decompresses to exactly the stated length, and a well-formed footer if present.
Result<XorbInfo> ParseXorb(std::string_view bytes);

// Decompresses one stored chunk (header + data), appending the raw bytes to `out`.
Status DecodeChunk(std::string_view stored, std::string& out);

// Serializes chunks into a xorb, without footer; when `compress`, each chunk is stored in the
// smallest of LZ4, BG4 + LZ4 and raw (as the JS client does), else raw. Chunks must hold 1 to
// kMaxChunkBytes bytes. Used by the C++ client and tests.
std::string BuildXorb(const std::vector<std::string_view>& chunks, bool compress);

// The 8-byte header that precedes a chunk's stored bytes in a xorb (for writers that stream a
// xorb instead of building it whole).
std::string EncodeChunkHeader(uint32_t stored_bytes, Compression scheme, uint32_t unpacked_bytes);

}  // namespace spacehub::xet
