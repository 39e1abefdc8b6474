#include "service/xet_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "xet/xorb_format.h"

namespace spacehub::service {

Result<std::unique_ptr<XetFileReader>> XetFileReader::Open(Hub& hub, const db::XetFileRow& file) {
  std::unique_ptr<XetFileReader> r(new XetFileReader());
  SH_ASSIGN_OR_RETURN(r->layout_, XetLayout::Open(hub, file, /*direct=*/false));
  r->end_ = r->layout_->size();
  return r;
}

XetFileReader::~XetFileReader() = default;

void XetFileReader::Narrow(uint64_t offset, uint64_t length) {
  pos_ += std::min(offset, end_ - pos_);
  end_ = pos_ + std::min(length, end_ - pos_);
}

Status XetFileReader::LoadPiece(size_t index) {
  const XetLayout::Piece& p = layout_->pieces()[index];
  stored_.resize(p.stored_bytes);
  size_t got = 0;
  while (got < stored_.size()) {
    ssize_t n = ::pread(p.fd, stored_.data() + got, stored_.size() - got,
                        static_cast<off_t>(p.offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Internal("short read from a xorb");
    got += static_cast<size_t>(n);
  }
  decoded_.clear();
  SH_TRY(xet::DecodeChunk(stored_, decoded_));
  if (decoded_.size() != p.unpacked_bytes) return Status::Internal("a stored chunk is corrupt");
  loaded_ = index;
  return Status::Ok();
}

Result<size_t> XetFileReader::Read(char* buf, size_t capacity) {
  size_t written = 0;
  while (written < capacity && pos_ < end_) {
    // The piece holding pos_: the last one starting at or before it.
    const auto& pieces = layout_->pieces();
    auto it = std::upper_bound(pieces.begin(), pieces.end(), pos_,
                               [](uint64_t v, const XetLayout::Piece& p) { return v < p.start; });
    size_t index = static_cast<size_t>(it - pieces.begin()) - 1;
    if (loaded_ != index) SH_TRY(LoadPiece(index));
    const XetLayout::Piece& p = pieces[index];
    uint64_t in_piece = pos_ - p.start;
    size_t n = static_cast<size_t>(
        std::min<uint64_t>({p.unpacked_bytes - in_piece, end_ - pos_, capacity - written}));
    std::memcpy(buf + written, decoded_.data() + in_piece, n);
    written += n;
    pos_ += n;
  }
  return written;
}

}  // namespace spacehub::service
