#include "xet/xorb_footer.h"

#include <cstdint>
#include <string>

#include "xet/byte_reader.h"

namespace spacehub::xet {
namespace {

constexpr std::string_view kHashesIdent = "XBLBHSH";
constexpr std::string_view kBoundariesIdent = "XBLBBND";
constexpr uint8_t kFooterV0 = 0;
constexpr uint8_t kFooterV1 = 1;
constexpr uint8_t kHashesVersion = 0;
constexpr uint8_t kBoundariesVersion = 1;
constexpr size_t kFooterBufferBytes = 16;

Status Bad(const std::string& why) { return Status::InvalidArgument("xorb footer: " + why); }

bool Ident(ByteReader& r, std::string_view want) {
  std::string_view got;
  return r.Bytes(want.size(), &got) && got == want;
}

// The count must equal the parsed chunks: checked before any per-chunk read, so a huge count costs
// nothing.
Status CheckCount(ByteReader& r, const XorbInfo& xorb) {
  uint32_t n = 0;
  if (!r.U32(&n)) return Bad("truncated");
  if (n != xorb.chunks.size()) return Bad("chunk count differs from the chunks");
  return Status::Ok();
}

Status CheckHashes(ByteReader& r, const XorbInfo& xorb) {
  for (const XorbChunk& c : xorb.chunks) {
    XetHash h;
    if (!r.Hash(&h)) return Bad("truncated");
    if (h != c.hash) return Bad("chunk hash differs from the chunk's data");
  }
  return Status::Ok();
}

// Each chunk's end offset in the serialized xorb (header included).
Status CheckBoundaries(ByteReader& r, const XorbInfo& xorb) {
  for (const XorbChunk& c : xorb.chunks) {
    uint32_t end = 0;
    if (!r.U32(&end)) return Bad("truncated");
    if (end != c.offset + c.stored_bytes) return Bad("chunk boundary differs from the chunks");
  }
  return Status::Ok();
}

// Each chunk's end offset in the concatenated uncompressed data.
Status CheckUnpackedOffsets(ByteReader& r, const XorbInfo& xorb) {
  uint64_t total = 0;
  for (const XorbChunk& c : xorb.chunks) {
    total += c.unpacked_bytes;
    uint32_t end = 0;
    if (!r.U32(&end)) return Bad("truncated");
    if (end != total) return Bad("unpacked offset differs from the chunks");
  }
  return Status::Ok();
}

Status CheckV0(ByteReader& r, const XorbInfo& xorb) {
  SH_TRY(CheckCount(r, xorb));
  SH_TRY(CheckBoundaries(r, xorb));
  SH_TRY(CheckHashes(r, xorb));
  return r.Skip(kFooterBufferBytes) ? Status::Ok() : Bad("truncated");
}

Status CheckV1(ByteReader& r, const XorbInfo& xorb) {
  const size_t hashes_begin = r.pos();
  uint8_t version = 0;
  if (!Ident(r, kHashesIdent) || !r.U8(&version) || version != kHashesVersion) {
    return Bad("bad hash section header");
  }
  SH_TRY(CheckCount(r, xorb));
  SH_TRY(CheckHashes(r, xorb));
  const size_t boundaries_begin = r.pos();
  if (!Ident(r, kBoundariesIdent) || !r.U8(&version) || version != kBoundariesVersion) {
    return Bad("bad boundary section header");
  }
  SH_TRY(CheckCount(r, xorb));
  SH_TRY(CheckBoundaries(r, xorb));
  SH_TRY(CheckUnpackedOffsets(r, xorb));
  SH_TRY(CheckCount(r, xorb));
  uint32_t hashes_from_end = 0;
  uint32_t boundaries_from_end = 0;
  if (!r.U32(&hashes_from_end) || !r.U32(&boundaries_from_end) || !r.Skip(kFooterBufferBytes)) {
    return Bad("truncated");
  }
  if (r.pos() - hashes_begin != hashes_from_end ||
      r.pos() - boundaries_begin != boundaries_from_end) {
    return Bad("section offsets disagree with the layout");
  }
  return Status::Ok();
}

}  // namespace

Status CheckXorbFooter(std::string_view footer, const XorbInfo& xorb) {
  // The trailing u32 counts the footer's bytes before it.
  constexpr size_t kLengthBytes = 4;
  if (footer.size() < kXorbFooterIdent.size() + 1 + kLengthBytes) return Bad("truncated");
  ByteReader tail(footer, footer.size() - kLengthBytes);
  uint32_t length = 0;
  if (!tail.U32(&length) || length != footer.size() - kLengthBytes) {
    return Bad("length field differs from the footer's size");
  }
  ByteReader r(footer.substr(0, length));
  uint8_t version = 0;
  XetHash hash;
  if (!Ident(r, kXorbFooterIdent) || !r.U8(&version)) return Bad("bad ident");
  if (version != kFooterV0 && version != kFooterV1) {
    return Bad("unknown version " + std::to_string(version));
  }
  if (!r.Hash(&hash)) return Bad("truncated");
  if (hash != xorb.hash) return Bad("xorb hash differs from the chunks");
  SH_TRY(version == kFooterV0 ? CheckV0(r, xorb) : CheckV1(r, xorb));
  if (r.remaining() != 0) return Bad("bytes after the footer's fields");
  return Status::Ok();
}

}  // namespace spacehub::xet
