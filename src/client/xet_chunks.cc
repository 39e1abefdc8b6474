#include "client/xet_chunks.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "spacehub/errors.h"
#include "xet/chunker.h"
#include "xet/xet_hash.h"

namespace spacehub::client::detail {

namespace {

constexpr size_t kReadBlock = 8 << 20;

// Feeds blocks to the chunker and hashes each chunk as it completes; a chunk that spans blocks is
// gathered in `carry_` first (at most 128 KiB).
class ChunkStream final {
 public:
  void Update(std::string_view block) {
    cuts_.clear();
    chunker_.Update(block, cuts_);
    size_t pos = 0;
    for (size_t len : cuts_) {
      size_t take = len - carry_.size();
      if (carry_.empty()) {
        Emit(block.substr(pos, take));
      } else {
        carry_.append(block.substr(pos, take));
        Emit(carry_);
        carry_.clear();
      }
      pos += take;
    }
    carry_.append(block.substr(pos));
  }

  std::vector<FileChunk> Finish() {
    if (chunker_.Finish() > 0) Emit(carry_);
    carry_.clear();
    return std::move(chunks_);
  }

 private:
  void Emit(std::string_view data) {
    chunks_.push_back({xet::ChunkHash(data), offset_, static_cast<uint32_t>(data.size())});
    offset_ += data.size();
  }

  xet::Chunker chunker_;
  std::vector<size_t> cuts_;
  std::string carry_;
  uint64_t offset_ = 0;
  std::vector<FileChunk> chunks_;
};

}  // namespace

std::vector<FileChunk> ChunkFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw LocalError(ErrorKind::kLocalIo, "cannot read " + path + ": " + std::strerror(errno));
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  ChunkStream stream;
  std::string buf(kReadBlock, '\0');
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw LocalError(ErrorKind::kLocalIo, "cannot read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    stream.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  return stream.Finish();
}

std::vector<FileChunk> ChunkBytes(std::string_view data) {
  ChunkStream stream;
  stream.Update(data);
  return stream.Finish();
}

}  // namespace spacehub::client::detail
