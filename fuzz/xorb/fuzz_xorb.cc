// xet::ParseXorb against any bytes: a xorb it accepts has contiguous chunks that each decode alone
// to their stated size and hash, its hash is the Merkle hash of those, and the chunks rebuilt by
// BuildXorb (raw and compressed) parse to the same hash. Bytes it rejects are stored as one chunk
// (when they fit) and must round-trip through BuildXorb, exercising the compressors. The same bytes
// fed to XorbStreamParser in pieces (sized from the input) get the same answer.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "xet/xet_hash.h"
#include "xet/xorb_format.h"
#include "xet/xorb_stream.h"

using spacehub::xet::BuildXorb;
using spacehub::xet::ChunkHash;
using spacehub::xet::ChunkRef;
using spacehub::xet::DecodeChunk;
using spacehub::xet::kMaxChunkBytes;
using spacehub::xet::ParseXorb;
using spacehub::xet::XorbChunk;
using spacehub::xet::XorbHash;
using spacehub::xet::XorbInfo;
using spacehub::xet::XorbStreamParser;

namespace {

void CheckRebuilds(const std::vector<std::string>& chunks, const spacehub::xet::XetHash& hash) {
  const std::vector<std::string_view> views(chunks.begin(), chunks.end());
  for (bool compress : {false, true}) {
    auto again = ParseXorb(BuildXorb(views, compress));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->hash == hash);
    FUZZ_CHECK(again->chunks.size() == chunks.size());
  }
}

// Feeds `input` in pieces of 1 to 64 bytes (the sizes cycle through the input's own bytes) and
// checks the answer and the chunk bytes reported against ParseXorb's.
void CheckStreamed(std::string_view input, const spacehub::Result<XorbInfo>& whole) {
  XorbStreamParser parser;
  uint64_t chunk_bytes = 0;
  size_t at = 0;
  for (size_t i = 0; at < input.size(); ++i) {
    const size_t n = static_cast<uint8_t>(input[i % input.size()]) % 64 + 1;
    auto fed = parser.Feed(input.substr(at, n));
    if (!fed.ok()) {
      FUZZ_CHECK(!whole.ok() && fed.status().message() == whole.status().message());
      return;
    }
    chunk_bytes += *fed;
    at += n;
  }
  auto streamed = parser.Finish();
  FUZZ_CHECK(streamed.ok() == whole.ok());
  if (!whole.ok()) {
    FUZZ_CHECK(streamed.status().message() == whole.status().message());
    return;
  }
  FUZZ_CHECK(streamed->hash == whole->hash && streamed->chunks.size() == whole->chunks.size());
  FUZZ_CHECK(chunk_bytes == whole->chunk_bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = spacehub::fuzz::AsText(data, size);
  auto parsed = ParseXorb(input);
  CheckStreamed(input, parsed);
  if (!parsed.ok()) {
    if (input.empty() || input.size() > kMaxChunkBytes) return 0;
    const std::vector<ChunkRef> refs = {{ChunkHash(input), input.size()}};
    CheckRebuilds({std::string(input)}, XorbHash(refs));
    return 0;
  }
  FUZZ_CHECK(!parsed->chunks.empty());
  FUZZ_CHECK(parsed->chunk_bytes <= input.size());
  std::vector<std::string> chunks;
  std::vector<ChunkRef> refs;
  uint64_t offset = 0;
  uint64_t unpacked = 0;
  for (const XorbChunk& c : parsed->chunks) {
    FUZZ_CHECK(c.offset == offset);
    std::string raw;
    FUZZ_CHECK(DecodeChunk(input.substr(c.offset, c.stored_bytes), raw).ok());
    FUZZ_CHECK(raw.size() == c.unpacked_bytes);
    FUZZ_CHECK(ChunkHash(raw) == c.hash);
    refs.push_back({c.hash, raw.size()});
    chunks.push_back(std::move(raw));
    offset += c.stored_bytes;
    unpacked += c.unpacked_bytes;
  }
  FUZZ_CHECK(offset == parsed->chunk_bytes);
  FUZZ_CHECK(unpacked == parsed->unpacked_bytes);
  FUZZ_CHECK(XorbHash(refs) == parsed->hash);
  CheckRebuilds(chunks, parsed->hash);
  return 0;
}
