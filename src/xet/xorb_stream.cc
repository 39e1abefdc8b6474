#include "xet/xorb_stream.h"

#include <algorithm>
#include <utility>

#include "xet/xorb_footer.h"

namespace spacehub::xet {
namespace {

Status TooManyChunks() {
  return Status::InvalidArgument("xorb: more than " + std::to_string(kMaxXorbChunks) + " chunks");
}

}  // namespace

Status XorbStreamParser::Fail(Status why) {
  phase_ = Phase::kFailed;
  failed_ = std::move(why);
  return failed_;
}

Result<size_t> XorbStreamParser::Feed(std::string_view piece) {
  if (phase_ == Phase::kFailed) return failed_;
  if (piece.size() > kMaxXorbBytes - fed_) {
    return Fail(
        Status::InvalidArgument("xorb: larger than " + std::to_string(kMaxXorbBytes) + " bytes"));
  }
  fed_ += piece.size();
  size_t chunk_bytes = 0;
  while (chunk_bytes < piece.size() && phase_ != Phase::kFooter) {
    const std::string_view rest = piece.substr(chunk_bytes);
    if (phase_ == Phase::kHeader) {
      if (head_.empty()) {
        // A chunk header starts with version 0, so a footer's "X" cannot be mistaken for one.
        if (rest[0] == kXorbFooterIdent[0]) {
          phase_ = Phase::kFooter;
          break;
        }
        if (info_.chunks.size() == kMaxXorbChunks) return Fail(TooManyChunks());
      }
      const size_t take = std::min(kChunkHeaderBytes - head_.size(), rest.size());
      head_.append(rest.substr(0, take));
      chunk_bytes += take;
      if (head_.size() == kChunkHeaderBytes) {
        if (Status st = StartChunk(); !st.ok()) return Fail(std::move(st));
      }
      continue;
    }
    const size_t take = std::min<size_t>(chunk_.stored - got_, rest.size());
    chunk_bytes += take;
    Status ended;
    if (got_ == 0 && take == chunk_.stored) {
      got_ = chunk_.stored;
      ended = EndChunk(rest.substr(0, take), /*gathered=*/false);  // checked where it lies
    } else {
      TakeData(rest.substr(0, take));
      if (got_ == chunk_.stored) ended = EndChunk({}, /*gathered=*/true);
    }
    if (!ended.ok()) return Fail(std::move(ended));
  }
  if (phase_ == Phase::kFooter) {
    footer_.append(piece.substr(chunk_bytes));
    if (footer_.size() >= kChunkHeaderBytes && !footer_.starts_with(kXorbFooterIdent)) {
      return Fail(NotAFooter());
    }
    if (footer_.size() > MaxXorbFooterBytes(info_.chunks.size())) {
      return Fail(Status::InvalidArgument("xorb footer: longer than a footer of " +
                                          std::to_string(info_.chunks.size()) + " chunks"));
    }
  }
  return chunk_bytes;
}

Status XorbStreamParser::StartChunk() {
  SH_ASSIGN_OR_RETURN(chunk_, ReadChunkHeader(head_, pos_));
  head_.clear();
  got_ = 0;
  phase_ = Phase::kData;
  // Only a compressed chunk can claim no data (and then fails to decode).
  if (chunk_.stored == 0) return EndChunk({}, /*gathered=*/false);
  return Status::Ok();
}

void XorbStreamParser::TakeData(std::string_view data) {
  if (chunk_.scheme == Compression::kNone) {
    if (got_ == 0) hasher_ = ChunkHasher();
    hasher_.Update(data);
  } else {
    if (got_ == 0) carry_.clear();
    carry_.append(data);
  }
  got_ += static_cast<uint32_t>(data.size());
}

Status XorbStreamParser::EndChunk(std::string_view data, bool gathered) {
  XetHash hash;
  if (chunk_.scheme == Compression::kNone) {
    hash = gathered ? hasher_.Finish() : ChunkHash(data);
  } else {
    raw_.clear();
    const std::string_view carried = carry_;
    Status decoded = DecodeChunkData(chunk_, gathered ? carried : data, lz4_, grouped_, raw_);
    if (!decoded.ok()) return BadChunk(pos_, decoded.message());
    hash = ChunkHash(raw_);
  }
  XorbChunk chunk{.hash = hash,
                  .offset = pos_,
                  .stored_bytes = static_cast<uint32_t>(kChunkHeaderBytes + chunk_.stored),
                  .unpacked_bytes = chunk_.unpacked,
                  .scheme = chunk_.scheme};
  info_.chunks.push_back(chunk);
  info_.unpacked_bytes += chunk.unpacked_bytes;
  pos_ += chunk.stored_bytes;
  phase_ = Phase::kHeader;
  return Status::Ok();
}

Status XorbStreamParser::NotAFooter() const {
  if (info_.chunks.size() == kMaxXorbChunks) return TooManyChunks();
  return ReadChunkHeader(footer_, pos_).status();  // its version is not 0
}

Result<XorbInfo> XorbStreamParser::Finish() {
  if (phase_ == Phase::kFailed) return failed_;
  if (phase_ == Phase::kHeader && !head_.empty()) return Fail(BadChunk(pos_, "truncated header"));
  if (phase_ == Phase::kData) return Fail(BadChunk(pos_, "data runs past the end"));
  if (phase_ == Phase::kFooter && !footer_.starts_with(kXorbFooterIdent)) return Fail(NotAFooter());
  if (info_.chunks.empty()) return Fail(Status::InvalidArgument("xorb: no chunks"));
  info_.chunk_bytes = pos_;
  std::vector<ChunkRef> refs;
  refs.reserve(info_.chunks.size());
  for (const XorbChunk& c : info_.chunks)
    refs.push_back({.hash = c.hash, .length = c.unpacked_bytes});
  info_.hash = XorbHash(refs);
  if (!footer_.empty()) {
    if (Status st = CheckXorbFooter(footer_, info_); !st.ok()) return Fail(std::move(st));
  }
  XorbInfo info = std::move(info_);
  phase_ = Phase::kFailed;
  failed_ = Status::Internal("xorb parser: Finish was called already");
  return info;
}

}  // namespace spacehub::xet
