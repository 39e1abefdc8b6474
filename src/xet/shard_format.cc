#include "xet/shard_format.h"

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "xet/byte_reader.h"

namespace spacehub::xet {
namespace {

// MDB_SHARD_HEADER_TAG: "HFRepoMetaData", NUL, then 17 fixed bytes (shard.md; the JS client's
// SHARD_MAGIC_TAG).
constexpr std::string_view kTag(
    "HFRepoMetaData\x00\x55\x69\x67\x45\x6a\x7b\x81\x57\x83\xa5\xbd\xd9\x5c\xcd\xd1\x4a\xa9", 32);
constexpr uint64_t kHeaderVersion = 2;
constexpr uint64_t kFooterVersion = 1;
constexpr uint64_t kHeaderBytes = 48;
constexpr uint64_t kFooterBytes = 200;
constexpr uint64_t kEntryBytes = 48;
constexpr uint32_t kWithVerification = 0x80000000;
constexpr uint32_t kWithMetadataExt = 0x40000000;
// xet-core's lookup tables between the CAS info section and the footer: (u64 truncated hash, u32
// index) for files and xorbs, (u64, u32, u32) for chunks.
constexpr uint64_t kFileLookupBytes = 12;
constexpr uint64_t kXorbLookupBytes = 12;
constexpr uint64_t kChunkLookupBytes = 16;

Status Bad(const std::string& why) { return Status::InvalidArgument("shard: " + why); }

XetHash Bookend() {
  XetHash h;
  h.bytes.fill(0xff);
  return h;
}

// Reads a file's terms, verification entries and SHA-256 after its header (hash, flags, n).
Status ReadFileInfo(ByteReader& r, const XetHash& hash, uint32_t flags, uint32_t n,
                    std::optional<bool>& with_verification, FileInfo& file) {
  if ((flags & ~(kWithVerification | kWithMetadataExt)) != 0) return Bad("unknown file flags");
  if (n == 0) return Bad("a file with no terms");
  const bool verified = (flags & kWithVerification) != 0;
  const bool with_sha = (flags & kWithMetadataExt) != 0;
  if (with_verification.has_value() && *with_verification != verified) {
    return Bad("some files have verification entries and some do not");
  }
  with_verification = verified;
  // Everything this file claims must be present before anything is allocated for it.
  const uint64_t need =
      uint64_t{n} * kEntryBytes * (verified ? 2 : 1) + (with_sha ? kEntryBytes : 0);
  if (need > r.remaining()) return Bad("a file's term count runs past the end");
  file.file_hash = hash;
  file.terms.resize(n);
  for (FileTerm& t : file.terms) {
    uint32_t cas_flags = 0;
    if (!r.Hash(&t.xorb) || !r.U32(&cas_flags) || !r.U32(&t.unpacked_bytes) ||
        !r.U32(&t.chunk_start) || !r.U32(&t.chunk_end)) {
      return Bad("truncated term");
    }
    if (t.chunk_end <= t.chunk_start) return Bad("a term whose chunk range is empty");
  }
  if (verified) {
    for (FileTerm& t : file.terms) {
      XetHash range;
      if (!r.Hash(&range) || !r.Skip(16)) return Bad("truncated verification entry");
      t.verification = range;
    }
  }
  if (with_sha) {
    XetHash sha;
    if (!r.Hash(&sha) || !r.Skip(16)) return Bad("truncated metadata entry");
    file.sha256 = sha;
  }
  return Status::Ok();
}

Status ReadFiles(ByteReader& r, Shard& shard) {
  std::optional<bool> with_verification;
  while (true) {
    XetHash hash;
    uint32_t flags = 0;
    uint32_t n = 0;
    if (!r.Hash(&hash) || !r.U32(&flags) || !r.U32(&n) || !r.Skip(8)) {
      return Bad("file info section without bookend");
    }
    if (hash == Bookend()) return Status::Ok();
    SH_TRY(ReadFileInfo(r, hash, flags, n, with_verification, shard.files.emplace_back()));
  }
}

// The chunk entries must tile the xorb's uncompressed bytes in order, as xet-core reads them.
Status ReadXorbChunks(ByteReader& r, uint32_t n, CasInfo& xorb) {
  if (n == 0) return Bad("a xorb with no chunks");
  if (uint64_t{n} * kEntryBytes > r.remaining())
    return Bad("a xorb's chunk count runs past the end");
  xorb.chunks.resize(n);
  uint64_t offset = 0;
  for (CasChunk& c : xorb.chunks) {
    if (!r.Hash(&c.hash) || !r.U32(&c.byte_start) || !r.U32(&c.unpacked_bytes) || !r.Skip(8)) {
      return Bad("truncated chunk entry");
    }
    if (c.byte_start != offset || c.unpacked_bytes == 0) {
      return Bad("a xorb's chunk offsets do not follow the chunk sizes");
    }
    offset += c.unpacked_bytes;
  }
  if (offset != xorb.unpacked_bytes) return Bad("a xorb's size differs from its chunks'");
  return Status::Ok();
}

Status ReadXorbs(ByteReader& r, Shard& shard) {
  while (true) {
    CasInfo xorb;
    uint32_t flags = 0;
    uint32_t n = 0;
    if (!r.Hash(&xorb.xorb) || !r.U32(&flags) || !r.U32(&n) || !r.U32(&xorb.unpacked_bytes) ||
        !r.U32(&xorb.stored_bytes)) {
      return Bad("CAS info section without bookend");
    }
    if (xorb.xorb == Bookend()) return Status::Ok();
    SH_TRY(ReadXorbChunks(r, n, xorb));
    shard.xorbs.push_back(std::move(xorb));
  }
}

struct Layout {
  uint64_t cas_start = 0;
  uint64_t cas_end = 0;  // after the CAS bookend
  uint64_t footer_start = 0;
};

// The lookup tables xet-core writes must fill the gap before the footer exactly; the JS client
// writes none and leaves their fields zero.
bool LookupTablesFit(const std::array<uint64_t, 6>& lookup, const Layout& at) {
  const auto [file_at, files, xorb_at, xorbs, chunk_at, chunks] = lookup;
  if (file_at == 0 && files == 0 && xorb_at == 0 && xorbs == 0 && chunk_at == 0 && chunks == 0) {
    return at.cas_end == at.footer_start;
  }
  const uint64_t room = at.footer_start;
  if (files > room / kFileLookupBytes || xorbs > room / kXorbLookupBytes ||
      chunks > room / kChunkLookupBytes) {
    return false;
  }
  return file_at == at.cas_end && xorb_at == file_at + files * kFileLookupBytes &&
         chunk_at == xorb_at + xorbs * kXorbLookupBytes &&
         at.footer_start == chunk_at + chunks * kChunkLookupBytes;
}

Status ReadFooter(std::string_view footer, const Layout& at, Shard& shard) {
  ByteReader r(footer);
  uint64_t version = 0;
  uint64_t file_info_offset = 0;
  uint64_t cas_info_offset = 0;
  std::array<uint64_t, 6> lookup{};
  uint64_t footer_offset = 0;
  bool ok = r.U64(&version) && r.U64(&file_info_offset) && r.U64(&cas_info_offset);
  for (uint64_t& v : lookup) ok = ok && r.U64(&v);
  ok = ok && r.Hash(&shard.hmac_key) && r.U64(&shard.creation_time) && r.U64(&shard.key_expiry) &&
       r.Skip(72) && r.U64(&footer_offset);
  if (!ok) return Bad("truncated footer");
  if (version != kFooterVersion) return Bad("unknown footer version " + std::to_string(version));
  if (file_info_offset != kHeaderBytes || cas_info_offset != at.cas_start ||
      footer_offset != at.footer_start) {
    return Bad("footer offsets disagree with the sections");
  }
  if (!LookupTablesFit(lookup, at)) return Bad("bytes between the CAS info section and the footer");
  return Status::Ok();
}

}  // namespace

Result<Shard> ParseShard(std::string_view bytes) {
  ByteReader r(bytes);
  std::string_view tag;
  uint64_t version = 0;
  uint64_t footer_size = 0;
  if (!r.Bytes(kTag.size(), &tag) || !r.U64(&version) || !r.U64(&footer_size)) {
    return Bad("truncated header");
  }
  if (tag != kTag) return Bad("not a shard (bad magic tag)");
  if (version != kHeaderVersion) return Bad("unknown version " + std::to_string(version));
  if (footer_size != 0 && footer_size != kFooterBytes) return Bad("bad footer size");
  if (bytes.size() < kHeaderBytes + footer_size) return Bad("truncated");
  Layout at{.footer_start = bytes.size() - footer_size};
  ByteReader body(bytes.substr(0, at.footer_start), kHeaderBytes);
  Shard shard;
  SH_TRY(ReadFiles(body, shard));
  at.cas_start = body.pos();
  SH_TRY(ReadXorbs(body, shard));
  at.cas_end = body.pos();
  if (footer_size == 0) {
    if (at.cas_end != at.footer_start) return Bad("bytes after the CAS info section");
    return shard;
  }
  SH_TRY(ReadFooter(bytes.substr(at.footer_start), at, shard));
  return shard;
}

std::string SerializeShard(const Shard& shard) {
  std::string out(kTag);
  PutU64(out, kHeaderVersion);
  PutU64(out, kFooterBytes);
  const std::string pad16(16, '\0');
  const auto bookend = [&out] {
    PutHash(out, Bookend());
    out.append(16, '\0');
  };
  uint64_t materialized = 0;
  for (const FileInfo& f : shard.files) {
    bool verified = !f.terms.empty();
    for (const FileTerm& t : f.terms) verified = verified && t.verification.has_value();
    PutHash(out, f.file_hash);
    PutU32(out, (verified ? kWithVerification : 0) | (f.sha256 ? kWithMetadataExt : 0));
    PutU32(out, static_cast<uint32_t>(f.terms.size()));
    out.append(8, '\0');
    for (const FileTerm& t : f.terms) {
      PutHash(out, t.xorb);
      PutU32(out, 0);
      PutU32(out, t.unpacked_bytes);
      PutU32(out, t.chunk_start);
      PutU32(out, t.chunk_end);
      materialized += t.unpacked_bytes;
    }
    for (const FileTerm& t : f.terms) {
      if (!verified) break;
      PutHash(out, *t.verification);
      out += pad16;
    }
    if (f.sha256) {
      PutHash(out, *f.sha256);
      out += pad16;
    }
  }
  bookend();
  const uint64_t cas_start = out.size();
  uint64_t stored_on_disk = 0;
  uint64_t stored = 0;
  for (const CasInfo& x : shard.xorbs) {
    PutHash(out, x.xorb);
    PutU32(out, 0);
    PutU32(out, static_cast<uint32_t>(x.chunks.size()));
    PutU32(out, x.unpacked_bytes);
    PutU32(out, x.stored_bytes);
    for (const CasChunk& c : x.chunks) {
      PutHash(out, c.hash);
      PutU32(out, c.byte_start);
      PutU32(out, c.unpacked_bytes);
      out.append(8, '\0');
    }
    stored_on_disk += x.stored_bytes;
    stored += x.unpacked_bytes;
  }
  bookend();
  const uint64_t footer_start = out.size();
  PutU64(out, kFooterVersion);
  PutU64(out, kHeaderBytes);
  PutU64(out, cas_start);
  // No lookup tables: each starts at the footer and is empty. The JS client's shard parser reads
  // the CAS section up to the file lookup offset, so it must not be left zero.
  for (int table = 0; table < 3; ++table) {
    PutU64(out, footer_start);
    PutU64(out, 0);
  }
  PutHash(out, shard.hmac_key);
  PutU64(out, shard.creation_time);
  PutU64(out, shard.key_expiry);
  out.append(48, '\0');
  PutU64(out, stored_on_disk);
  PutU64(out, materialized);
  PutU64(out, stored);
  PutU64(out, footer_start);
  return out;
}

}  // namespace spacehub::xet
