#include "service/xet_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "service/xet_records.h"

namespace spacehub::service {

Result<std::unique_ptr<XetFileReader>> XetFileReader::Open(Hub& hub, const db::XetFileRow& file) {
  SH_ASSIGN_OR_RETURN(std::vector<StoredTerm> terms, UnpackTerms(file.terms));
  std::unique_ptr<XetFileReader> r(new XetFileReader());
  std::map<xet::XetHash, std::pair<int, std::vector<StoredChunk>>> xorbs;
  uint64_t at = 0;
  for (const auto& t : terms) {
    auto it = xorbs.find(t.xorb);
    if (it == xorbs.end()) {
      std::string hex = t.xorb.ToHex();
      SH_ASSIGN_OR_RETURN(auto row, hub.db.xet().FindXorb(hex));
      if (!row) return Status::NotFound("Xorb " + hex + " of file " + file.file_hash + " is gone");
      SH_ASSIGN_OR_RETURN(std::vector<StoredChunk> chunks, UnpackChunks(row->chunks));
      int fd = ::open(hub.xorbs.Path(hex).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return Status::NotFound("Xorb " + hex + " is missing on disk");
      // Files are read front to back: let the kernel read ahead in large steps (xorbs are written
      // with O_DIRECT, so a fresh upload is not in the page cache when its SHA-256 is checked).
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
      r->fds_.push_back(fd);
      it = xorbs.emplace(t.xorb, std::make_pair(fd, std::move(chunks))).first;
    }
    const auto& [fd, chunks] = it->second;
    if (t.chunk_end > chunks.size() || t.chunk_start >= t.chunk_end) {
      return Status::Internal("corrupt term in file " + file.file_hash);
    }
    for (uint32_t c = t.chunk_start; c < t.chunk_end; ++c) {
      r->pieces_.push_back(
          {fd, chunks[c].offset, chunks[c].stored_bytes, chunks[c].unpacked_bytes, at});
      at += chunks[c].unpacked_bytes;
    }
  }
  if (at != file.size) return Status::Internal("file " + file.file_hash + " has the wrong size");
  r->size_ = at;
  r->end_ = at;
  return r;
}

XetFileReader::~XetFileReader() {
  for (int fd : fds_) ::close(fd);
}

void XetFileReader::Narrow(uint64_t offset, uint64_t length) {
  pos_ += std::min(offset, end_ - pos_);
  end_ = pos_ + std::min(length, end_ - pos_);
}

Status XetFileReader::LoadPiece(size_t index) {
  const Piece& p = pieces_[index];
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
    auto it = std::upper_bound(pieces_.begin(), pieces_.end(), pos_,
                               [](uint64_t v, const Piece& p) { return v < p.start; });
    size_t index = static_cast<size_t>(it - pieces_.begin()) - 1;
    if (loaded_ != index) SH_TRY(LoadPiece(index));
    const Piece& p = pieces_[index];
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
