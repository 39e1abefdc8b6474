#include "service/xet_records.h"

#include <cstring>

namespace spacehub::service {
namespace {

constexpr size_t kRecord = 44;

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void PutHash(std::string& out, const xet::XetHash& h) {
  out.append(reinterpret_cast<const char*>(h.bytes.data()), h.bytes.size());
}

xet::XetHash GetHash(const char* p) {
  xet::XetHash h;
  std::memcpy(h.bytes.data(), p, h.bytes.size());
  return h;
}

Status CheckSize(const std::string& blob) {
  if (blob.size() % kRecord != 0) return Status::Internal("corrupt Xet record blob");
  return Status::Ok();
}

}  // namespace

std::string PackChunks(const std::vector<xet::XorbChunk>& chunks) {
  std::string out;
  out.reserve(chunks.size() * kRecord);
  for (const auto& c : chunks) {
    PutHash(out, c.hash);
    PutU32(out, static_cast<uint32_t>(c.offset));
    PutU32(out, c.stored_bytes);
    PutU32(out, c.unpacked_bytes);
  }
  return out;
}

Result<std::vector<StoredChunk>> UnpackChunks(const std::string& blob) {
  SH_TRY(CheckSize(blob));
  std::vector<StoredChunk> out;
  out.reserve(blob.size() / kRecord);
  for (size_t i = 0; i < blob.size(); i += kRecord) {
    const char* p = blob.data() + i;
    out.push_back({GetHash(p), GetU32(p + 32), GetU32(p + 36), GetU32(p + 40)});
  }
  return out;
}

std::string PackTerms(const std::vector<StoredTerm>& terms) {
  std::string out;
  out.reserve(terms.size() * kRecord);
  for (const auto& t : terms) {
    PutHash(out, t.xorb);
    PutU32(out, t.chunk_start);
    PutU32(out, t.chunk_end);
    PutU32(out, t.unpacked_bytes);
  }
  return out;
}

Result<std::vector<StoredTerm>> UnpackTerms(const std::string& blob) {
  SH_TRY(CheckSize(blob));
  std::vector<StoredTerm> out;
  out.reserve(blob.size() / kRecord);
  for (size_t i = 0; i < blob.size(); i += kRecord) {
    const char* p = blob.data() + i;
    out.push_back({GetHash(p), GetU32(p + 32), GetU32(p + 36), GetU32(p + 40)});
  }
  return out;
}

}  // namespace spacehub::service
