#include "service/xet_layout.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "service/xet_records.h"

namespace spacehub::service {

Result<std::unique_ptr<XetLayout>> XetLayout::Open(Hub& hub, const db::XetFileRow& file,
                                                   bool direct) {
  SH_ASSIGN_OR_RETURN(std::vector<StoredTerm> terms, UnpackTerms(file.terms));
  std::unique_ptr<XetLayout> layout(new XetLayout());
  layout->direct_ = direct;
  std::map<xet::XetHash, std::pair<int, std::vector<StoredChunk>>> xorbs;
  uint64_t at = 0;
  for (const auto& t : terms) {
    auto it = xorbs.find(t.xorb);
    if (it == xorbs.end()) {
      std::string hex = t.xorb.ToHex();
      SH_ASSIGN_OR_RETURN(auto row, hub.db.xet().FindXorb(hex));
      if (!row) return Status::NotFound("Xorb " + hex + " of file " + file.file_hash + " is gone");
      SH_ASSIGN_OR_RETURN(std::vector<StoredChunk> chunks, UnpackChunks(row->chunks));
      const std::string path = hub.xorbs.Path(hex).string();
      int fd = -1;
      if (layout->direct_) {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
        if (fd < 0 && errno == EINVAL) layout->DropDirect();  // tmpfs before Linux 6.6
      }
      if (fd < 0 && !layout->direct_) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return Status::NotFound("Xorb " + hex + " is missing on disk");
      if (!layout->direct_) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      layout->fds_.push_back(fd);
      it = xorbs.emplace(t.xorb, std::make_pair(fd, std::move(chunks))).first;
    }
    const auto& [fd, chunks] = it->second;
    if (t.chunk_end > chunks.size() || t.chunk_start >= t.chunk_end) {
      return Status::Internal("corrupt term in file " + file.file_hash);
    }
    for (uint32_t c = t.chunk_start; c < t.chunk_end; ++c) {
      layout->pieces_.push_back(
          {fd, chunks[c].offset, chunks[c].stored_bytes, chunks[c].unpacked_bytes, at});
      at += chunks[c].unpacked_bytes;
    }
  }
  if (at != file.size) return Status::Internal("file " + file.file_hash + " has the wrong size");
  layout->size_ = at;
  return layout;
}

void XetLayout::DropDirect() {
  direct_ = false;
  for (int fd : fds_) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_DIRECT);
  }
}

XetLayout::~XetLayout() {
  for (int fd : fds_) ::close(fd);
}

}  // namespace spacehub::service
