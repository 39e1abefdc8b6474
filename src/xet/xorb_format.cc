#include "xet/xorb_format.h"

#include <string>
#include <utility>

#include "xet/chunk_codec.h"
#include "xet/xorb_footer.h"

namespace spacehub::xet {
namespace {

constexpr uint8_t kChunkVersion = 0;

struct ChunkHeader {
  uint8_t version = 0;
  uint32_t stored = 0;  // data bytes after the header
  uint8_t scheme = 0;
  uint32_t unpacked = 0;
};

uint32_t U24(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 16;
}

void PutU24(std::string& out, uint32_t v) {
  for (int i = 0; i < 3; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

Status Bad(uint64_t offset, const std::string& why) {
  return Status::InvalidArgument("xorb: chunk at byte " + std::to_string(offset) + ": " + why);
}

// Reads and checks the header at the start of `rest` (the xorb from a chunk on); `offset` names
// the chunk in errors.
Result<ChunkHeader> ReadHeader(std::string_view rest, uint64_t offset) {
  if (rest.size() < kChunkHeaderBytes) return Bad(offset, "truncated header");
  ChunkHeader h{.version = static_cast<uint8_t>(rest[0]),
                .stored = U24(rest, 1),
                .scheme = static_cast<uint8_t>(rest[4]),
                .unpacked = U24(rest, 5)};
  if (h.version != kChunkVersion)
    return Bad(offset, "unknown version " + std::to_string(h.version));
  if (h.scheme > static_cast<uint8_t>(Compression::kByteGrouping4Lz4)) {
    return Bad(offset, "unknown compression scheme " + std::to_string(h.scheme));
  }
  if (h.unpacked == 0 || h.unpacked > kMaxChunkBytes) {
    return Bad(offset, "uncompressed size " + std::to_string(h.unpacked) + " out of range");
  }
  if (h.stored > rest.size() - kChunkHeaderBytes) return Bad(offset, "data runs past the end");
  if (static_cast<Compression>(h.scheme) == Compression::kNone && h.stored != h.unpacked) {
    return Bad(offset, "uncompressed chunk whose sizes differ");
  }
  return h;
}

// Appends the chunk's raw bytes to `out`; `grouped` is scratch space for BG4.
Status Decode(const ChunkHeader& h, std::string_view data, Lz4FrameDecoder& lz4,
              std::string& grouped, std::string& out) {
  switch (static_cast<Compression>(h.scheme)) {
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

}  // namespace

Result<XorbInfo> ParseXorb(std::string_view bytes) {
  if (bytes.size() > kMaxXorbBytes) {
    return Status::InvalidArgument("xorb: larger than " + std::to_string(kMaxXorbBytes) + " bytes");
  }
  XorbInfo info;
  Lz4FrameDecoder lz4;
  std::string raw;
  std::string grouped;
  std::vector<ChunkRef> refs;
  uint64_t pos = 0;
  // A chunk header starts with version 0, so a footer's "X" cannot be mistaken for one.
  while (pos < bytes.size() && !bytes.substr(pos).starts_with(kXorbFooterIdent)) {
    if (info.chunks.size() == kMaxXorbChunks) {
      return Status::InvalidArgument("xorb: more than " + std::to_string(kMaxXorbChunks) +
                                     " chunks");
    }
    SH_ASSIGN_OR_RETURN(ChunkHeader h, ReadHeader(bytes.substr(pos), pos));
    std::string_view data = bytes.substr(pos + kChunkHeaderBytes, h.stored);
    if (static_cast<Compression>(h.scheme) != Compression::kNone) {  // raw ones hash in place
      raw.clear();
      Status decoded = Decode(h, data, lz4, grouped, raw);
      if (!decoded.ok()) return Bad(pos, decoded.message());
      data = raw;
    }
    XorbChunk chunk{.hash = ChunkHash(data),
                    .offset = pos,
                    .stored_bytes = static_cast<uint32_t>(kChunkHeaderBytes + h.stored),
                    .unpacked_bytes = h.unpacked,
                    .scheme = static_cast<Compression>(h.scheme)};
    refs.push_back({.hash = chunk.hash, .length = chunk.unpacked_bytes});
    info.chunks.push_back(chunk);
    info.unpacked_bytes += h.unpacked;
    pos += chunk.stored_bytes;
  }
  if (info.chunks.empty()) return Status::InvalidArgument("xorb: no chunks");
  info.chunk_bytes = pos;
  info.hash = XorbHash(refs);
  if (pos < bytes.size()) SH_TRY(CheckXorbFooter(bytes.substr(pos), info));
  return info;
}

Status DecodeChunk(std::string_view stored, std::string& out) {
  SH_ASSIGN_OR_RETURN(ChunkHeader h, ReadHeader(stored, 0));
  if (stored.size() != kChunkHeaderBytes + h.stored) {
    return Bad(0, "bytes after the chunk's data");
  }
  Lz4FrameDecoder lz4;
  std::string grouped;
  return Decode(h, stored.substr(kChunkHeaderBytes), lz4, grouped, out);
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
