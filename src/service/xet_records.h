// The packed records db::XetStore keeps for xorbs (their chunks) and files (their terms), and
// conversions between them and the xet/ format types. Little-endian, 44 bytes per record; a blob
// whose size is not a multiple of 44 is corrupt (kInternal). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "xet/shard_format.h"
#include "xet/xorb_format.h"

namespace spacehub::service {

struct StoredChunk {
  xet::XetHash hash;
  uint32_t offset = 0;  // of its header in the stored xorb
  uint32_t stored_bytes = 0;
  uint32_t unpacked_bytes = 0;
};

struct StoredTerm {
  xet::XetHash xorb;
  uint32_t chunk_start = 0;
  uint32_t chunk_end = 0;
  uint32_t unpacked_bytes = 0;
};

std::string PackChunks(const std::vector<xet::XorbChunk>& chunks);
Result<std::vector<StoredChunk>> UnpackChunks(const std::string& blob);
std::string PackTerms(const std::vector<StoredTerm>& terms);
Result<std::vector<StoredTerm>> UnpackTerms(const std::string& blob);

}  // namespace spacehub::service
