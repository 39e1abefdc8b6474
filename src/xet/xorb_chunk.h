// One chunk of a xorb as the parsers see it: its 8-byte header read and checked, its stored data
// decoded. The one implementation of those rules, shared by ParseXorb, DecodeChunk and the
// streaming parser (xorb_stream.h), so a xorb checked whole and one checked as it arrives give the
// same answer. Internal to src/xet. Pure functions; thread-safe (the decoder and scratch buffers
// are the caller's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "xet/chunk_codec.h"
#include "xet/xorb_format.h"

namespace spacehub::xet {

struct ChunkHeader {
  uint32_t stored = 0;  // data bytes after the header
  Compression scheme = Compression::kNone;
  uint32_t unpacked = 0;
};

// kInvalidArgument "xorb: chunk at byte <offset>: <why>".
Status BadChunk(uint64_t offset, const std::string& why);

// Checks the header in the first kChunkHeaderBytes bytes of `header` (fewer: "truncated header")
// (version, scheme, sizes within bounds, a raw chunk's two sizes equal); whether the data fits is
// the caller's to check. `offset` names the chunk in errors.
Result<ChunkHeader> ReadChunkHeader(std::string_view header, uint64_t offset);

// Appends the raw bytes of a chunk whose header is `h` and whose stored data is `data` (exactly
// h.stored bytes) to `out`; `grouped` is scratch space for BG4.
Status DecodeChunkData(const ChunkHeader& h, std::string_view data, Lz4FrameDecoder& lz4,
                       std::string& grouped, std::string& out);

}  // namespace spacehub::xet
