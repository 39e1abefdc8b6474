#include "xet/xorb_format.h"

#include <string>
#include <utility>

#include "xet/chunk_codec.h"
#include "xet/xorb_chunk.h"
#include "xet/xorb_stream.h"

namespace spacehub::xet {
namespace {

constexpr uint8_t kChunkVersion = 0;

uint32_t U24(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 16;
}

void PutU24(std::string& out, uint32_t v) {
  for (int i = 0; i < 3; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

Status BadChunk(uint64_t offset, const std::string& why) {
  return Status::InvalidArgument("xorb: chunk at byte " + std::to_string(offset) + ": " + why);
}

Result<ChunkHeader> ReadChunkHeader(std::string_view header, uint64_t offset) {
  if (header.size() < kChunkHeaderBytes) return BadChunk(offset, "truncated header");
  const auto version = static_cast<uint8_t>(header[0]);
  const auto scheme = static_cast<uint8_t>(header[4]);
  if (version != kChunkVersion)
    return BadChunk(offset, "unknown version " + std::to_string(version));
  if (scheme > static_cast<uint8_t>(Compression::kByteGrouping4Lz4)) {
    return BadChunk(offset, "unknown compression scheme " + std::to_string(scheme));
  }
  ChunkHeader h{.stored = U24(header, 1),
                .scheme = static_cast<Compression>(scheme),
                .unpacked = U24(header, 5)};
  if (h.unpacked == 0 || h.unpacked > kMaxChunkBytes) {
    return BadChunk(offset, "uncompressed size " + std::to_string(h.unpacked) + " out of range");
  }
  if (h.scheme == Compression::kNone && h.stored != h.unpacked) {
    return BadChunk(offset, "uncompressed chunk whose sizes differ");
  }
  return h;
}

Status DecodeChunkData(const ChunkHeader& h, std::string_view data, Lz4FrameDecoder& lz4,
                       std::string& grouped, std::string& out) {
  switch (h.scheme) {
    case Compression::kNone:
      out.append(data);
      return Status::Ok();
    case Compression::kLz4:
      return lz4.DecodeExact(data, h.unpacked, out);
    case Compression::kByteGrouping4Lz4:
      grouped.clear();
      SH_TRY(lz4.DecodeExact(data, h.unpacked, grouped));
      Bg4Regroup(grouped, out);
      return Status::Ok();
  }
  return Status::InvalidArgument("xorb: unknown compression scheme");
}

Result<XorbInfo> ParseXorb(std::string_view bytes) {
  XorbStreamParser parser;
  SH_TRY(parser.Feed(bytes).status());
  return parser.Finish();
}

Status DecodeChunk(std::string_view stored, std::string& out) {
  SH_ASSIGN_OR_RETURN(ChunkHeader h, ReadChunkHeader(stored, 0));
  const std::string_view data = stored.substr(kChunkHeaderBytes);
  if (h.stored > data.size()) return BadChunk(0, "data runs past the end");
  if (h.stored < data.size()) return BadChunk(0, "bytes after the chunk's data");
  Lz4FrameDecoder lz4;
  std::string grouped;
  return DecodeChunkData(h, data, lz4, grouped, out);
}

std::string BuildXorb(const std::vector<std::string_view>& chunks, bool compress) {
  std::string out;
  for (std::string_view chunk : chunks) {
    Compression scheme = Compression::kNone;
    std::string packed;
    if (compress) {
      // As the JS client does: the smaller of plain LZ4 and BG4 + LZ4, if smaller than raw.
      std::string lz4 = Lz4FrameCompress(chunk);
      std::string bg4 = Lz4FrameCompress(Bg4Split(chunk));
      if (bg4.size() < lz4.size()) {
        std::swap(lz4, bg4);
        scheme = Compression::kByteGrouping4Lz4;
      } else {
        scheme = Compression::kLz4;
      }
      if (lz4.size() < chunk.size()) {
        packed = std::move(lz4);
      } else {
        scheme = Compression::kNone;
      }
    }
    const std::string_view data = scheme == Compression::kNone ? chunk : packed;
    out += EncodeChunkHeader(static_cast<uint32_t>(data.size()), scheme,
                             static_cast<uint32_t>(chunk.size()));
    out.append(data);
  }
  return out;
}

std::string EncodeChunkHeader(uint32_t stored_bytes, Compression scheme, uint32_t unpacked_bytes) {
  std::string h;
  h.push_back(static_cast<char>(kChunkVersion));
  PutU24(h, stored_bytes);
  h.push_back(static_cast<char>(scheme));
  PutU24(h, unpacked_bytes);
  return h;
}

}  // namespace spacehub::xet
