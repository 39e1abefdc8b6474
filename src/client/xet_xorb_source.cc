#include "client/xet_xorb_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "spacehub/errors.h"
#include "xet/xorb_format.h"

namespace spacehub::client::detail {

RawXorbSource::RawXorbSource(const XetUploadFile& f, const NewXorb& x) : f_(f) {
  for (size_t i : x.chunks) {
    const FileChunk& c = (*f.chunks)[i];
    pieces_.push_back({size_, c.offset, c.length});
    size_ += xet::kChunkHeaderBytes + c.length;
  }
  if (!f.content) {
    fd_ = ::open(f.local_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      throw LocalError(ErrorKind::kLocalIo,
                       "cannot read " + f.local_path + ": " + std::strerror(errno));
    }
  }
}

RawXorbSource::~RawXorbSource() {
  if (fd_ >= 0) ::close(fd_);
}

size_t RawXorbSource::Fill(char* buf, size_t capacity, uint64_t at) const {
  if (pieces_.empty() || at >= size_) return 0;
  size_t done = 0;
  // The piece holding `at`: the last one starting at or before it.
  auto it = std::upper_bound(pieces_.begin(), pieces_.end(), at,
                             [](uint64_t v, const Piece& p) { return v < p.body_offset; });
  for (--it; done < capacity && it != pieces_.end(); ++it) {
    uint64_t in_piece = at + done - it->body_offset;
    if (in_piece < xet::kChunkHeaderBytes) {
      std::string h = xet::EncodeChunkHeader(it->length, xet::Compression::kNone, it->length);
      size_t n = std::min<size_t>(capacity - done, h.size() - in_piece);
      h.copy(buf + done, n, in_piece);
      done += n;
      if (done == capacity) break;  // the header's rest goes in the next call
      in_piece = xet::kChunkHeaderBytes;
    }
    uint64_t data_at = in_piece - xet::kChunkHeaderBytes;
    size_t n = static_cast<size_t>(std::min<uint64_t>(capacity - done, it->length - data_at));
    if (n > 0 && !ReadData(buf + done, it->file_offset + data_at, n)) return 0;
    done += n;
  }
  return done;
}

bool RawXorbSource::ReadData(char* into, uint64_t offset, size_t n) const {
  if (f_.content) {
    if (offset + n > f_.content->size()) return false;
    std::memcpy(into, f_.content->data() + offset, n);
    return true;
  }
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd_, into + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;  // the file shrank while uploading
    got += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace spacehub::client::detail
