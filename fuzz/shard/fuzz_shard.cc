// xet::ParseShard against any bytes: a shard it accepts has files with terms whose chunk ranges
// are non-empty, verification on every file or none, xorbs whose chunks tile their bytes; and
// SerializeShard of it parses back to the same shard.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "xet/shard_format.h"

using spacehub::xet::CasInfo;
using spacehub::xet::FileInfo;
using spacehub::xet::FileTerm;
using spacehub::xet::ParseShard;
using spacehub::xet::SerializeShard;
using spacehub::xet::Shard;

namespace {

bool SameFile(const FileInfo& a, const FileInfo& b) {
  if (a.file_hash != b.file_hash || a.sha256 != b.sha256 || a.terms.size() != b.terms.size()) {
    return false;
  }
  for (size_t i = 0; i < a.terms.size(); ++i) {
    const FileTerm& x = a.terms[i];
    const FileTerm& y = b.terms[i];
    if (x.xorb != y.xorb || x.unpacked_bytes != y.unpacked_bytes ||
        x.chunk_start != y.chunk_start || x.chunk_end != y.chunk_end ||
        x.verification != y.verification) {
      return false;
    }
  }
  return true;
}

bool SameXorb(const CasInfo& a, const CasInfo& b) {
  if (a.xorb != b.xorb || a.unpacked_bytes != b.unpacked_bytes ||
      a.stored_bytes != b.stored_bytes || a.chunks.size() != b.chunks.size()) {
    return false;
  }
  for (size_t i = 0; i < a.chunks.size(); ++i) {
    if (a.chunks[i].hash != b.chunks[i].hash || a.chunks[i].byte_start != b.chunks[i].byte_start ||
        a.chunks[i].unpacked_bytes != b.chunks[i].unpacked_bytes) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = ParseShard(spacehub::fuzz::AsText(data, size));
  if (!parsed.ok()) return 0;
  const Shard& s = *parsed;
  // Every entry costs at least 48 input bytes: the parse cannot have built more than the input.
  FUZZ_CHECK((s.files.size() + s.xorbs.size()) * 48 <= size);
  for (const FileInfo& f : s.files) {
    FUZZ_CHECK(!f.terms.empty());
    for (const FileTerm& t : f.terms) {
      FUZZ_CHECK(t.chunk_start < t.chunk_end);
      FUZZ_CHECK(t.verification.has_value() == s.files[0].terms[0].verification.has_value());
    }
  }
  for (const CasInfo& x : s.xorbs) {
    FUZZ_CHECK(!x.chunks.empty());
    uint64_t offset = 0;
    for (const auto& c : x.chunks) {
      FUZZ_CHECK(c.byte_start == offset);
      offset += c.unpacked_bytes;
    }
    FUZZ_CHECK(offset == x.unpacked_bytes);
  }
  auto again = ParseShard(SerializeShard(s));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->files.size() == s.files.size() && again->xorbs.size() == s.xorbs.size());
  for (size_t i = 0; i < s.files.size(); ++i) FUZZ_CHECK(SameFile(again->files[i], s.files[i]));
  for (size_t i = 0; i < s.xorbs.size(); ++i) FUZZ_CHECK(SameXorb(again->xorbs[i], s.xorbs[i]));
  FUZZ_CHECK(again->hmac_key == s.hmac_key && again->creation_time == s.creation_time &&
             again->key_expiry == s.key_expiry);
  return 0;
}
